package api

import (
	"errors"
	"path"
	"runtime"
	"syscall"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units"
	"svunit.dev/svunit/units/manager"
)

// strPair is one (ss) entry.
type strPair struct{ A, B string }

// unitEntry is one a(ssssssouso) entry of ListUnits and friends.
type unitEntry struct {
	Name, Description, LoadState, ActiveState, SubState, Following string
	Path                                                           dbus.ObjectPath
	JobID                                                          uint32
	JobType                                                        string
	JobPath                                                        dbus.ObjectPath
}

// jobEntry is one a(usssoo) entry of ListJobs.
type jobEntry struct {
	ID                uint32
	Unit, Type, State string
	JobPath, UnitPath dbus.ObjectPath
}

var (
	nameArg   = arg{"name", "s"}
	modeArg   = arg{"mode", "s"}
	jobOut    = []arg{{"job", "o"}}
	unitOut   = []arg{{"unit", "o"}}
	unitsOut  = []arg{{"units", "a(ssssssouso)"}}
	statesArg = arg{"states", "as"}
)

// managerMethods are the org.freedesktop.systemd1.Manager methods svunit
// implements; docs/dbus-api.md lists them with what each does here.
var managerMethods = []*method{
	{name: "GetUnit", in: []arg{nameArg}, out: unitOut, run: getUnit},
	{name: "GetUnitByPID", in: []arg{{"pid", "u"}}, out: unitOut, run: getUnitByPID},
	{name: "LoadUnit", in: []arg{nameArg}, out: unitOut, run: loadUnit},
	{name: "GetJob", in: []arg{{"id", "u"}}, out: jobOut, run: getJob},
	{name: "StartUnit", in: []arg{nameArg, modeArg}, out: jobOut, run: jobMethod(manager.JobStart)},
	{name: "StopUnit", in: []arg{nameArg, modeArg}, out: jobOut, run: jobMethod(manager.JobStop)},
	{name: "RestartUnit", in: []arg{nameArg, modeArg}, out: jobOut, run: jobMethod(manager.JobRestart)},
	{name: "TryRestartUnit", in: []arg{nameArg, modeArg}, out: jobOut, run: tryRestart},
	{name: "ReloadOrRestartUnit", in: []arg{nameArg, modeArg}, out: jobOut, run: jobMethod(manager.JobReloadOrRestart)},
	{name: "ReloadOrTryRestartUnit", in: []arg{nameArg, modeArg}, out: jobOut, run: tryRestart},
	{name: "ReloadUnit", in: []arg{nameArg, modeArg}, out: jobOut, run: reloadUnit},
	{name: "KillUnit", in: []arg{nameArg, {"whom", "s"}, {"signal", "i"}}, run: killUnit},
	{name: "ResetFailedUnit", in: []arg{nameArg}, run: resetFailedUnit},
	{name: "ResetFailed", run: resetFailedAll},
	{name: "ListUnits", out: unitsOut, run: listUnits},
	{name: "ListUnitsFiltered", in: []arg{statesArg}, out: unitsOut, run: listUnits},
	{name: "ListUnitsByPatterns", in: []arg{statesArg, {"patterns", "as"}}, out: unitsOut, run: listUnits},
	{name: "ListUnitsByNames", in: []arg{{"names", "as"}}, out: unitsOut, run: listUnitsByNames},
	{name: "ListJobs", out: []arg{{"jobs", "a(usssoo)"}}, run: listJobs},
	{name: "ListUnitFiles", out: []arg{{"unit_files", "a(ss)"}}, run: listUnitFiles},
	{name: "ListUnitFilesByPatterns", in: []arg{statesArg, {"patterns", "as"}}, out: []arg{{"unit_files", "a(ss)"}}, run: listUnitFiles},
	{name: "GetUnitProcesses", in: []arg{nameArg}, out: []arg{{"processes", "a(sus)"}}, run: getUnitProcesses},
	{name: "GetUnitFileState", in: []arg{{"file", "s"}}, out: []arg{{"state", "s"}}, run: getUnitFileState},
	{name: "Subscribe", run: subscribe},
	{name: "Unsubscribe", run: unsubscribe},
	{name: "Reload", run: reloadManager},
}

var managerSignals = []signalDef{
	{"UnitNew", []arg{{"id", "s"}, {"unit", "o"}}},
	{"UnitRemoved", []arg{{"id", "s"}, {"unit", "o"}}},
	{"JobNew", []arg{{"id", "u"}, {"job", "o"}, {"unit", "s"}}},
	{"JobRemoved", []arg{{"id", "u"}, {"job", "o"}, {"unit", "s"}, {"result", "s"}}},
	{"Reloading", []arg{{"active", "b"}}},
}

// managerProps are org.freedesktop.systemd1.Manager's properties.
var managerProps = []prop[*API]{
	{"Version", "s", false, func(a *API) any { return a.version }},
	{"Features", "s", false, func(*API) any { return "+SVUNIT" }},
	{"Architecture", "s", false, func(*API) any { return runtime.GOARCH }},
	{"Virtualization", "s", false, func(*API) any { return "" }},
	{"Tainted", "s", false, func(*API) any { return "" }},
	{"NNames", "u", false, func(a *API) any { return uint32(len(a.m.Units())) }},
	{"NFailedUnits", "u", false, func(a *API) any { return a.countFailed() }},
	{"NJobs", "u", false, func(a *API) any { return uint32(a.jobs.len()) }},
	{"SystemState", "s", false, func(a *API) any { return a.systemState() }},
	{"Environment", "as", false, func(*API) any { return []string{} }},
	{"UnitPath", "as", false, func(a *API) any { return []string{a.unitDir()} }},
	{"Progress", "d", false, func(*API) any { return 1.0 }},
	// systemctl status without a unit shows it as "Since:"; systemd's other
	// boot timestamps (firmware, kernel, initrd) are not the manager's to know.
	{"UserspaceTimestamp", "t", false, func(a *API) any { return uint64(a.started.UnixMicro()) }},
}

func (a *API) countFailed() uint32 {
	n := uint32(0)
	for _, s := range a.m.Units() {
		if s.ActiveState == "failed" {
			n++
		}
	}
	return n
}

func (a *API) systemState() string {
	if a.countFailed() > 0 {
		return "degraded"
	}
	return "running"
}

func (a *API) unitDir() string {
	for _, s := range a.m.Units() {
		if s.Unit != nil && s.Unit.Path != "" {
			return path.Dir(s.Unit.Path)
		}
	}
	return ""
}

func getUnit(c *call) ([]any, error) {
	name, err := c.a.unitName(c.str(0))
	if err != nil {
		return nil, err
	}
	return []any{UnitPath(name)}, nil
}

// loadUnit is GetUnit, except that an unknown name gets its not-found
// object, as systemd loads any name on demand.
func loadUnit(c *call) ([]any, error) {
	name, err := c.a.unitName(c.str(0))
	if err != nil {
		return []any{UnitPath(c.str(0))}, nil
	}
	return []any{UnitPath(name)}, nil
}

func getUnitByPID(c *call) ([]any, error) {
	pid := int(c.u32(0))
	for _, s := range c.a.m.Units() {
		if s.Unit != nil && pid != 0 && s.MainPID == pid {
			return []any{UnitPath(s.Unit.Name)}, nil
		}
	}
	return nil, busError(ErrNoUnitForPID, "PID %d does not belong to any loaded unit.", pid)
}

func getJob(c *call) ([]any, error) {
	if _, ok := c.a.job(c.u32(0)); !ok {
		return nil, busError(ErrNoSuchJob, "Job %d does not exist.", c.u32(0))
	}
	return []any{JobPath(c.u32(0))}, nil
}

// checkMode accepts the job modes whose meaning svunit keeps: every job
// replaces the unit's pending one.
func checkMode(mode string) error {
	switch mode {
	case "replace", "fail", "replace-irreversibly", "ignore-dependencies", "ignore-requirements":
		return nil
	case "isolate", "flush", "triggering", "restart-dependencies":
		return busError(ErrNotSupported, "Job mode %s is not supported by svunit; use replace.", mode)
	}
	return busError(ErrInvalidArgs, "Job mode %s invalid.", mode)
}

// jobMethod returns the body of StartUnit and its siblings.
func jobMethod(t manager.JobType) func(c *call) ([]any, error) {
	return func(c *call) ([]any, error) {
		if err := checkMode(c.str(1)); err != nil {
			return nil, err
		}
		name, err := c.a.unitName(c.str(0))
		if err != nil {
			return nil, err
		}
		js, err := c.a.queue(c, t, []string{name})
		if err != nil {
			return nil, err
		}
		return []any{JobPath(js[0].ID)}, nil
	}
}

// tryRestart restarts the unit only when it is active, as systemd's
// TryRestartUnit; otherwise it returns a job that is already done.
func tryRestart(c *call) ([]any, error) {
	s, ok := c.a.resolve(c.str(0))
	if ok && (s.ActiveState == "inactive" || s.ActiveState == "failed") {
		if err := checkMode(c.str(1)); err != nil {
			return nil, err
		}
		js, err := c.a.queue(c, manager.JobStop, []string{s.Unit.Name})
		if err != nil {
			return nil, err
		}
		return []any{JobPath(js[0].ID)}, nil
	}
	return jobMethod(manager.JobRestart)(c)
}

func reloadUnit(c *call) ([]any, error) {
	name, err := c.a.unitName(c.str(0))
	if err != nil {
		return nil, err
	}
	return nil, busError(ErrJobTypeNotApplies, "Job type reload is not applicable for unit %s: svunit reloads by restarting; use ReloadOrRestartUnit.", name)
}

// queue asks the manager for jobs of type t on names, holding back their
// JobRemoved signals until c's reply is out.
func (a *API) queue(c *call, t manager.JobType, names []string) ([]*manager.Job, error) {
	register := a.holdJobs(c)
	var js []*manager.Job
	var err error
	switch t {
	case manager.JobStart:
		js, err = a.m.Start(names...)
	case manager.JobStop:
		js, err = a.m.Stop(names...)
	case manager.JobRestart:
		js, err = a.m.Restart(names...)
	case manager.JobReloadOrRestart:
		js, err = a.m.ReloadOrRestart(names...)
	}
	ids := make([]uint32, len(js))
	for i, j := range js {
		ids[i] = j.ID
	}
	register(ids)
	a.jobs.addQueued(js)
	if err != nil {
		return nil, managerError(err)
	}
	if len(js) == 0 {
		return nil, busError(ErrFailed, "the manager queued no job for %v", names)
	}
	return js, nil
}

// managerError converts a manager error to a D-Bus error a client can
// branch on.
func managerError(err error) error {
	var nf *units.NotFoundError
	if errors.As(err, &nf) {
		return busError(ErrNoSuchUnit, "%v", err)
	}
	return busError(ErrFailed, "%v", err)
}

func killUnit(c *call) ([]any, error) {
	name, err := c.a.unitName(c.str(0))
	if err != nil {
		return nil, err
	}
	who := c.str(1)
	switch who {
	case "", "all", "main", "control", "main-fail", "all-fail", "control-fail":
	default:
		return nil, busError(ErrInvalidArgs, "Invalid whom argument: %s (want all, main or control).", who)
	}
	sig := c.i32(2)
	if sig <= 0 || sig >= 65 {
		return nil, busError(ErrInvalidArgs, "Signal number %d out of range.", sig)
	}
	if err := c.a.m.Kill(name, who, syscall.Signal(sig)); err != nil {
		return nil, managerError(err)
	}
	return nil, nil
}

func resetFailedUnit(c *call) ([]any, error) {
	name, err := c.a.unitName(c.str(0))
	if err != nil {
		return nil, err
	}
	return nil, managerError0(c.a.m.ResetFailed(name))
}

func resetFailedAll(c *call) ([]any, error) {
	var names []string
	for _, s := range c.a.m.Units() {
		if s.Unit != nil {
			names = append(names, s.Unit.Name)
		}
	}
	return nil, managerError0(c.a.m.ResetFailed(names...))
}

// managerError0 is managerError that keeps nil.
func managerError0(err error) error {
	if err == nil {
		return nil
	}
	return managerError(err)
}

func reloadManager(c *call) ([]any, error) {
	_, _, err := c.a.reload()
	return nil, err
}
