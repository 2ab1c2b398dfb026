package api

import (
	"svunit.dev/svunit/units"
)

// Access decides, per method call, whether the caller may run a verb on
// units; bus/policy implements it. sender is the caller's unique bus name.
// Verbs: "logs", "start", "stop", "restart", "kill" on units, and "manage"
// (no units) for manager-wide methods. Reading status is not asked about.
// A non-nil error refuses the call with AccessDenied and the error's text.
type Access interface {
	CheckSender(sender, verb string, us ...*units.Unit) error
}

// managerVerbs are the verbs of the methods on the manager object, by
// method name. A method in neither this table nor readMethods is "manage":
// a method added later stays root's until it is given a verb here.
var managerVerbs = map[string]string{
	"StartUnit": "start", "StopUnit": "stop", "RestartUnit": "restart",
	"TryRestartUnit": "restart", "ReloadOrRestartUnit": "restart",
	"ReloadOrTryRestartUnit": "restart", "ReloadUnit": "restart",
	"KillUnit": "kill", "ResetFailedUnit": "start", "ResetFailed": "manage", "Reload": "manage",
	"StartUnits": "start", "StopUnits": "stop", "RestartUnits": "restart",
	"ReloadOrRestartUnits": "restart", "KillUnits": "kill", "ResetFailedUnits": "start",
	"TailLog": "logs", "FollowLog": "logs", "RotateLogs": "logs",
	"OpenLogStream": "logs", "ReadLogStream": "logs", "CloseLogStream": "logs",
}

// unitVerbs are the verbs of the methods on unit objects.
var unitVerbs = map[string]string{
	"Start": "start", "Stop": "stop", "Restart": "restart", "TryRestart": "restart",
	"ReloadOrRestart": "restart", "ReloadOrTryRestart": "restart", "Reload": "restart",
	"Kill": "kill", "ResetFailed": "start",
}

// readMethods only read, on any object: open to every caller.
var readMethods = map[string]bool{
	"Get": true, "GetAll": true, "Set": true, "Introspect": true, // Set only says the property is read-only
	"GetUnit": true, "GetUnitByPID": true, "LoadUnit": true, "GetJob": true, "GetUnitFileState": true,
	"GetUnitProcesses": true,
	"ListUnits":        true, "ListUnitsFiltered": true, "ListUnitsByPatterns": true, "ListUnitsByNames": true,
	"ListJobs": true, "ListUnitFiles": true, "ListUnitFilesByPatterns": true, "Subscribe": true, "Unsubscribe": true,
	"ResolveUnits": true, "ListGroups": true, "GetUnitsProperties": true, "ListUnitsStatus": true,
	"Ping": true, "GetMachineId": true,
}

// onlyReads reports whether m only reads, on whatever object: every other
// method changes something, including ones no table here knows yet. (For
// shared.go's rule on a shared bus.)
func onlyReads(m *method) bool { return readMethods[m.name] }

// authorize asks Config.Access whether c may run m. Names that resolve to
// no unit are left for the method to report as NoSuchUnit.
func (a *API) authorize(c *call, m *method) error {
	if a.access == nil {
		return nil
	}
	var verb string
	var names []string
	if name, ok := UnitNameFromPath(c.obj.path); ok {
		verb, names = unitVerbs[m.name], []string{name}
	} else if id, ok := jobIDFromPath(c.obj.path); ok && m.name == "Cancel" {
		verb = "stop"
		if j, ok := a.job(id); ok {
			names = []string{j.Unit}
		}
	} else if c.obj.path == ManagerPath {
		verb = managerVerbs[m.name]
		names = a.callUnits(c, m)
	}
	if verb == "" {
		if onlyReads(m) {
			return nil
		}
		verb, names = "manage", nil
	}
	var us []*units.Unit
	for _, n := range names {
		if s, ok := a.resolve(n); ok && s.Unit != nil {
			us = append(us, s.Unit)
		}
	}
	if verb == "stop" && len(us) > 0 {
		us = append(us, a.m.Set().RequiredBy(us)...) // the manager stops them too
	}
	if err := a.access.CheckSender(c.sender, verb, us...); err != nil {
		return busError(ErrAccessDenied, "%v", err)
	}
	return nil
}

// callUnits returns the unit names a manager method acts on: its "name"
// argument, or what its "patterns" argument resolves to.
func (a *API) callUnits(c *call, m *method) []string {
	if len(m.in) == 0 {
		return nil
	}
	switch m.in[0] {
	case nameArg:
		return []string{c.str(0)}
	case patternsArg:
		names, _ := a.resolvePatterns(c.strs(0))
		return names
	}
	return nil
}
