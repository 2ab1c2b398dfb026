package api

import (
	"strconv"
	"strings"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units/manager"
)

// Interface shapes of unit and job objects, built once.
var (
	unitDef        = newIface(ifaceUnit, unitMethods, nil, propDefs(unitProps))
	serviceDef     = newIface(ifaceService, nil, nil, propDefs(serviceProps))
	svunitUnitDef  = newIface(ifaceSvunitUnit, nil, nil, propDefs(svunitUnitProps))
	jobDef         = newIface(ifaceJob, jobMethods, nil, propDefs(jobProps))
	managerDef     = newIface(ifaceManager, managerMethods, managerSignals, propDefs(managerProps))
	svunitMgrDef   = newIface(ifaceSvunitManager, svunitMethods, nil, propDefs(svunitManagerProps))
	pathAncestors  = map[dbus.ObjectPath]string{"/": "org", "/org": "freedesktop", "/org/freedesktop": "systemd1"}
	managerChilden = []string{"job", "unit"}
)

// object returns the object at p, or nil when there is none.
func (a *API) object(p dbus.ObjectPath) *object {
	if child, ok := pathAncestors[p]; ok {
		return &object{a: a, path: p, children: func() []string { return []string{child} }}
	}
	switch {
	case p == ManagerPath:
		return &object{a: a, path: p, children: func() []string { return managerChilden },
			ifaces: []ifaceImpl{{managerDef, propValues(managerProps, a)}, {svunitMgrDef, propValues(svunitManagerProps, a)}}}
	case p == unitPrefix:
		return &object{a: a, path: p, children: a.unitLabels}
	case p == jobPrefix:
		return &object{a: a, path: p, children: a.jobLabels}
	case strings.HasPrefix(string(p), unitPrefix+"/"):
		return a.unitObject(p)
	case strings.HasPrefix(string(p), jobPrefix+"/"):
		return a.jobObject(p)
	}
	return nil
}

// unitObject returns the unit object at p. Any name a client may use for a
// unit (see candidates) reaches it; a name that matches nothing gets a
// not-found object, as systemd's clients expect.
func (a *API) unitObject(p dbus.ObjectPath) *object {
	name, ok := UnitNameFromPath(p)
	if !ok {
		return nil
	}
	info, found := a.lookup(name)
	o := &object{a: a, path: p}
	if !found {
		o.missing = name
	}
	o.ifaces = []ifaceImpl{
		{unitDef, propValues(unitProps, &info)},
		{serviceDef, propValues(serviceProps, &info)},
		{svunitUnitDef, propValues(svunitUnitProps, &info)},
	}
	return o
}

// resolve returns the snapshot of the unit a client's name stands for.
func (a *API) resolve(name string) (manager.Snapshot, bool) {
	for _, c := range candidates(name) {
		if s, ok := a.m.Unit(c); ok {
			return s, true
		}
	}
	return manager.Snapshot{}, false
}

// lookup returns what the API shows of the unit called name, with its
// pending job, or a not-found unit.
func (a *API) lookup(name string) (unitInfo, bool) {
	s, ok := a.resolve(name)
	if !ok {
		return notFound(name), false
	}
	info := infoOf(&s)
	if j := a.jobs.forUnit(info.Name); j != nil {
		info.JobID, info.JobType = j.ID, string(j.Type)
	}
	a.addLogStatus(&info)
	return info, true
}

// unitName resolves name to a unit's own name, or fails with NoSuchUnit.
func (a *API) unitName(name string) (string, error) {
	s, ok := a.resolve(name)
	if !ok || s.Unit == nil {
		return "", noSuchUnit(name)
	}
	return s.Unit.Name, nil
}

func (a *API) unitLabels() []string {
	us := a.m.Units()
	out := make([]string, 0, len(us))
	for _, s := range us {
		if s.Unit != nil {
			out = append(out, escapeLabel(s.Unit.Name))
		}
	}
	return out
}

func (a *API) jobLabels() []string {
	js := a.jobs.list()
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = strconv.FormatUint(uint64(j.ID), 10)
	}
	return out
}

// job returns the unfinished job id. A job so new that the pump has not
// indexed it yet is looked for in the manager's table.
func (a *API) job(id uint32) (*manager.Job, bool) {
	if j, ok := a.jobs.get(id); ok {
		return j, true
	}
	for _, j := range a.m.Jobs() {
		if j.ID == id {
			return j, true
		}
	}
	return nil, false
}

func (a *API) jobObject(p dbus.ObjectPath) *object {
	id, ok := jobIDFromPath(p)
	if !ok {
		return nil
	}
	j, ok := a.job(id)
	if !ok {
		return nil
	}
	return &object{a: a, path: p, ifaces: []ifaceImpl{{jobDef, propValues(jobProps, j)}}}
}

// unitRef is the (so) Unit property of a job.
type unitRef struct {
	Name string
	Path dbus.ObjectPath
}

// jobProps are org.freedesktop.systemd1.Job's properties.
var jobProps = []prop[*manager.Job]{
	{"Id", "u", false, func(j *manager.Job) any { return j.ID }},
	{"Unit", "(so)", false, func(j *manager.Job) any { return unitRef{j.Unit, UnitPath(j.Unit)} }},
	{"JobType", "s", false, func(j *manager.Job) any { return systemdJobType(j.Type) }},
	{"State", "s", false, func(j *manager.Job) any { return "running" }},
	{"ActivationDetails", "a(ss)", false, func(j *manager.Job) any { return []strPair{} }},
}

// systemdJobType names a manager job type as systemd does.
func systemdJobType(t manager.JobType) string {
	if t == manager.JobReloadOrRestart {
		return "restart"
	}
	return string(t)
}

var jobMethods = []*method{
	{name: "Cancel", run: func(c *call) ([]any, error) {
		return nil, busError(ErrNotSupported, "svunit jobs cannot be cancelled; queue the opposite job (stop instead of start) to replace it.")
	}},
}
