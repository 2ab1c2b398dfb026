package api

import (
	"errors"
	"sort"
	"syscall"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/journal"
	"svunit.dev/svunit/units/manager"
)

// jobInfo is one a(uso) entry: a job queued by a batch method.
type jobInfo struct {
	ID   uint32
	Unit string
	Path dbus.ObjectPath
}

// unitProperties is one a(sa{sv}) entry of GetUnitsProperties.
type unitProperties struct {
	Name  string
	Props map[string]dbus.Variant
}

var (
	patternsArg = arg{"patterns", "as"}
	jobsOut     = []arg{{"jobs", "a(uso)"}}
	namesOut    = []arg{{"units", "as"}}
)

// svunitMethods are io.svunit1.Manager's methods: what svunit's CLI needs
// and systemd's Manager lacks. A pattern is a unit name, @group, "all" or a
// shell glob.
var svunitMethods = []*method{
	{name: "StartUnits", in: []arg{patternsArg}, out: jobsOut, run: batch(manager.JobStart)},
	{name: "StopUnits", in: []arg{patternsArg}, out: jobsOut, run: batch(manager.JobStop)},
	{name: "RestartUnits", in: []arg{patternsArg}, out: jobsOut, run: batch(manager.JobRestart)},
	{name: "ReloadOrRestartUnits", in: []arg{patternsArg}, out: jobsOut, run: batch(manager.JobReloadOrRestart)},
	{name: "KillUnits", in: []arg{patternsArg, {"whom", "s"}, {"signal", "i"}}, out: namesOut, run: killUnits},
	{name: "ResetFailedUnits", in: []arg{patternsArg}, out: namesOut, run: resetFailedUnits},
	{name: "ResolveUnits", in: []arg{patternsArg}, out: namesOut, run: resolveUnits},
	{name: "ListGroups", out: []arg{{"groups", "a(sas)"}}, run: listGroups},
	{name: "GetUnitsProperties", in: []arg{patternsArg, {"properties", "as"}}, out: []arg{{"units", "a(sa{sv})"}}, run: getUnitsProperties},
	{name: "ListUnitsStatus", in: []arg{patternsArg}, out: []arg{{"units", "a" + StatusSignature}}, run: listUnitsStatus},
	{name: "Reload", out: []arg{{"changes", "a(ss)"}, {"problems", "s"}}, run: reloadReport},
	{name: "TailLog", in: []arg{nameArg, {"stream", "s"}, {"lines", "u"}}, out: []arg{{"lines", "as"}}, run: tailLog},
	{name: "FollowLog", in: []arg{nameArg, {"stream", "s"}, {"lines", "u"}}, out: []arg{{"fd", "h"}}, run: followLog},
	{name: "OpenLogStream", in: []arg{nameArg, {"stream", "s"}, {"lines", "u"}}, out: []arg{{"id", "s"}}, run: openLogStream},
	{name: "ReadLogStream", in: []arg{{"id", "s"}, {"timeout_ms", "u"}}, out: []arg{{"lines", "as"}, {"skipped", "u"}, {"open", "b"}}, run: readLogStream},
	{name: "CloseLogStream", in: []arg{{"id", "s"}}, run: closeLogStream},
	{name: "RotateLogs", in: []arg{patternsArg}, out: namesOut, run: rotateLogs},
}

var svunitManagerProps = []prop[*API]{
	{"Version", "s", false, func(a *API) any { return a.version }},
	{"UnitDirectory", "s", false, func(a *API) any { return a.unitDir() }},
}

// resolvePatterns expands patterns to unit names in start order's input
// order (sorted by name); an empty list or a pattern that matches nothing
// is an error naming it.
func (a *API) resolvePatterns(patterns []string) ([]string, error) {
	if len(patterns) == 0 {
		return nil, busError(ErrInvalidArgs, "No units given: name units, @group, a glob, or all.")
	}
	us, err := a.m.Set().Resolve(patterns)
	if err != nil {
		return nil, managerError(err)
	}
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Name
	}
	return names, nil
}

func batch(t manager.JobType) func(c *call) ([]any, error) {
	return func(c *call) ([]any, error) {
		names, err := c.a.resolvePatterns(c.strs(0))
		if err != nil {
			return nil, err
		}
		js, err := c.a.queue(c, t, names)
		if err != nil {
			return nil, err
		}
		out := make([]jobInfo, len(js))
		for i, j := range js {
			out[i] = jobInfo{j.ID, j.Unit, JobPath(j.ID)}
		}
		return []any{out}, nil
	}
}

func killUnits(c *call) ([]any, error) {
	names, err := c.a.resolvePatterns(c.strs(0))
	if err != nil {
		return nil, err
	}
	sig := c.i32(2)
	if sig <= 0 || sig >= 65 {
		return nil, busError(ErrInvalidArgs, "Signal number %d out of range.", sig)
	}
	var errs []error
	for _, n := range names {
		if err := c.a.m.Kill(n, c.str(1), syscall.Signal(sig)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, managerError(err)
	}
	return []any{names}, nil
}

func resetFailedUnits(c *call) ([]any, error) {
	names, err := c.a.resolvePatterns(c.strs(0))
	if err != nil {
		return nil, err
	}
	if err := c.a.m.ResetFailed(names...); err != nil {
		return nil, managerError(err)
	}
	return []any{names}, nil
}

func resolveUnits(c *call) ([]any, error) {
	names, err := c.a.resolvePatterns(c.strs(0))
	if err != nil {
		return nil, err
	}
	return []any{names}, nil
}

// group is one a(sas) entry.
type group struct {
	Name    string
	Members []string
}

func listGroups(c *call) ([]any, error) {
	out := []group{}
	for name, us := range c.a.m.Set().Groups() {
		g := group{Name: name, Members: make([]string, len(us))}
		for i, u := range us {
			g.Members[i] = u.Name
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	return []any{out}, nil
}

// getUnitsProperties returns the named properties (all when none are named)
// of every unit matching patterns (all units when none are given), in one
// round trip: 'svunit status' of a thousand units is one call.
func getUnitsProperties(c *call) ([]any, error) {
	snaps, err := c.a.snapshots(c.strs(0))
	if err != nil {
		return nil, err
	}
	want := c.strs(1)
	out := make([]unitProperties, 0, len(snaps))
	for i := range snaps {
		if snaps[i].Unit == nil {
			continue
		}
		info := infoOf(&snaps[i])
		if j := c.a.jobs.forUnit(info.Name); j != nil {
			info.JobID, info.JobType = j.ID, string(j.Type)
		}
		c.a.addLogStatus(&info)
		props, err := selectProps(&info, want)
		if err != nil {
			return nil, err
		}
		out = append(out, unitProperties{info.Name, props})
	}
	return []any{out}, nil
}

// snapshots returns the units patterns name (all units when there are
// none), sorted by name.
func (a *API) snapshots(patterns []string) ([]manager.Snapshot, error) {
	if len(patterns) == 0 {
		return a.m.Units(), nil
	}
	names, err := a.resolvePatterns(patterns)
	if err != nil {
		return nil, err
	}
	snaps := make([]manager.Snapshot, 0, len(names))
	for _, n := range names {
		if s, ok := a.m.Unit(n); ok {
			snaps = append(snaps, s)
		}
	}
	return snaps, nil
}

// selectProps returns the properties named in want (all when want is empty)
// from the unit interfaces.
func selectProps(info *unitInfo, want []string) (map[string]dbus.Variant, error) {
	impls := []ifaceImpl{
		{unitDef, propValues(unitProps, info)},
		{serviceDef, propValues(serviceProps, info)},
		{svunitUnitDef, propValues(svunitUnitProps, info)},
	}
	props := make(map[string]dbus.Variant, max(len(want), 64))
	if len(want) == 0 {
		for _, x := range impls {
			x.all(props)
		}
		return props, nil
	}
outer:
	for _, name := range want {
		for _, x := range impls {
			if i, ok := x.def.propIdx[name]; ok {
				props[name] = x.variant(i)
				continue outer
			}
		}
		return nil, busError(ErrUnknownProperty, "Units have no property %s.", name)
	}
	return props, nil
}

func reloadReport(c *call) ([]any, error) {
	changes, problems, err := c.a.reload()
	if err != nil {
		return nil, err
	}
	return []any{changes, problems}, nil
}

// tailLog returns the last lines of a unit's stdout or stderr file.
func tailLog(c *call) ([]any, error) {
	p, err := c.a.logPath(c.str(0), c.str(1))
	if err != nil {
		return nil, err
	}
	lines, err := journal.Tail(p, int(min(c.u32(2), 100000)))
	if err != nil {
		return nil, busError(ErrFailed, "%v", err)
	}
	if lines == nil {
		lines = []string{}
	}
	return []any{lines}, nil
}
