package api

import "svunit.dev/svunit/units/manager"

// unitMethods are org.freedesktop.systemd1.Unit's methods: the Manager's
// job methods with the object's unit as the name.
var unitMethods = []*method{
	{name: "Start", in: []arg{modeArg}, out: jobOut, run: onUnit(jobMethod(manager.JobStart))},
	{name: "Stop", in: []arg{modeArg}, out: jobOut, run: onUnit(jobMethod(manager.JobStop))},
	{name: "Restart", in: []arg{modeArg}, out: jobOut, run: onUnit(jobMethod(manager.JobRestart))},
	{name: "TryRestart", in: []arg{modeArg}, out: jobOut, run: onUnit(tryRestart)},
	{name: "ReloadOrRestart", in: []arg{modeArg}, out: jobOut, run: onUnit(jobMethod(manager.JobReloadOrRestart))},
	{name: "ReloadOrTryRestart", in: []arg{modeArg}, out: jobOut, run: onUnit(tryRestart)},
	{name: "Reload", in: []arg{modeArg}, out: jobOut, run: onUnit(reloadUnit)},
	{name: "Kill", in: []arg{{"whom", "s"}, {"signal", "i"}}, run: onUnit(killUnit)},
	{name: "ResetFailed", run: onUnit(resetFailedUnit)},
}

// onUnit runs a Manager method body with the object's unit name prepended
// to the arguments.
func onUnit(run func(c *call) ([]any, error)) func(c *call) ([]any, error) {
	return func(c *call) ([]any, error) {
		if c.obj.missing != "" {
			return nil, noSuchUnit(c.obj.missing)
		}
		name, _ := UnitNameFromPath(c.obj.path)
		c.args = append([]any{name}, c.args...)
		return run(c)
	}
}
