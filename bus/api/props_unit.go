package api

import (
	"time"

	"svunit.dev/svunit/units"
)

// zeroUnit stands in for the configuration of a unit that is not loaded, so
// getters need no nil checks.
var zeroUnit = &units.Unit{}

// cfg returns u's configuration, or an empty one.
func (u *unitInfo) cfg() *units.Unit {
	if u.Unit == nil {
		return zeroUnit
	}
	return u.Unit
}

// usec converts a duration to systemd's µs, with infinity as UINT64_MAX.
func usec(d time.Duration) uint64 {
	if d == units.Infinity || d < 0 {
		return ^uint64(0)
	}
	return uint64(d / time.Microsecond)
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// loadError is the (ss) LoadError property: an error name and a message, or
// two empty strings.
type loadError struct{ Name, Message string }

// unitProps are org.freedesktop.systemd1.Unit's properties, with systemd's
// names and types; those svunit has no notion of keep systemd's neutral
// values so that clients parsing them work.
var unitProps = []prop[*unitInfo]{
	{"Id", "s", false, func(u *unitInfo) any { return u.Name }},
	{"Names", "as", false, func(u *unitInfo) any { return u.names() }},
	{"Following", "s", false, func(u *unitInfo) any { return "" }},
	{"Requires", "as", false, func(u *unitInfo) any { return strs(u.cfg().Requires) }},
	{"Wants", "as", false, func(u *unitInfo) any { return strs(u.cfg().Wants) }},
	{"Before", "as", false, func(u *unitInfo) any { return strs(u.cfg().Before) }},
	{"After", "as", false, func(u *unitInfo) any { return strs(u.cfg().After) }},
	// svunit has no socket, timer or path units, so nothing triggers a unit
	// and a unit triggers nothing; systemctl stop reads TriggeredBy to warn
	// about triggers left active, and fails without it.
	{"Triggers", "as", false, func(u *unitInfo) any { return []string{} }},
	{"TriggeredBy", "as", false, func(u *unitInfo) any { return []string{} }},
	{"Documentation", "as", false, func(u *unitInfo) any { return strs(u.cfg().Documentation) }},
	{"Description", "s", false, func(u *unitInfo) any { return u.cfg().Description }},
	{"LoadState", "s", true, func(u *unitInfo) any { return u.LoadState }},
	{"ActiveState", "s", true, func(u *unitInfo) any { return u.ActiveState }},
	{"FreezerState", "s", false, func(u *unitInfo) any { return "running" }},
	{"SubState", "s", true, func(u *unitInfo) any { return u.SubState }},
	{"FragmentPath", "s", false, func(u *unitInfo) any { return u.cfg().Path }},
	{"SourcePath", "s", false, func(u *unitInfo) any { return "" }},
	// systemd has ControlGroup on .Service; it is here too for clients
	// that read a unit's group without knowing its type.
	{"ControlGroup", "s", true, func(u *unitInfo) any { return u.ControlGroup }},
	{"DropInPaths", "as", false, func(u *unitInfo) any { return strs(u.cfg().DropInPaths) }},
	{"UnitFileState", "s", false, func(u *unitInfo) any { return u.UnitFileState }},
	{"UnitFilePreset", "s", false, func(u *unitInfo) any { return "" }},
	{"StateChangeTimestamp", "t", true, func(u *unitInfo) any { return u.StateChange.Wall }},
	{"StateChangeTimestampMonotonic", "t", true, func(u *unitInfo) any { return u.StateChange.Mono }},
	{"InactiveExitTimestamp", "t", true, func(u *unitInfo) any { return u.InactiveExit.Wall }},
	{"InactiveExitTimestampMonotonic", "t", true, func(u *unitInfo) any { return u.InactiveExit.Mono }},
	{"ActiveEnterTimestamp", "t", true, func(u *unitInfo) any { return u.ActiveEnter.Wall }},
	{"ActiveEnterTimestampMonotonic", "t", true, func(u *unitInfo) any { return u.ActiveEnter.Mono }},
	{"ActiveExitTimestamp", "t", true, func(u *unitInfo) any { return u.ActiveExit.Wall }},
	{"ActiveExitTimestampMonotonic", "t", true, func(u *unitInfo) any { return u.ActiveExit.Mono }},
	{"InactiveEnterTimestamp", "t", true, func(u *unitInfo) any { return u.InactiveEnter.Wall }},
	{"InactiveEnterTimestampMonotonic", "t", true, func(u *unitInfo) any { return u.InactiveEnter.Mono }},
	{"CanStart", "b", false, func(u *unitInfo) any { return u.Unit != nil }},
	{"CanStop", "b", false, func(u *unitInfo) any { return u.Unit != nil }},
	{"CanReload", "b", false, func(u *unitInfo) any { return len(u.cfg().Service.ExecReload) > 0 }},
	{"CanIsolate", "b", false, func(u *unitInfo) any { return false }},
	{"CanFreeze", "b", false, func(u *unitInfo) any { return false }},
	{"Job", "(uo)", true, func(u *unitInfo) any { return u.job() }},
	{"StopWhenUnneeded", "b", false, func(u *unitInfo) any { return false }},
	{"RefuseManualStart", "b", false, func(u *unitInfo) any { return false }},
	{"RefuseManualStop", "b", false, func(u *unitInfo) any { return false }},
	{"AllowIsolate", "b", false, func(u *unitInfo) any { return false }},
	{"DefaultDependencies", "b", false, func(u *unitInfo) any { return false }},
	{"NeedDaemonReload", "b", false, func(u *unitInfo) any { return false }},
	{"Transient", "b", false, func(u *unitInfo) any { return false }},
	{"Perpetual", "b", false, func(u *unitInfo) any { return false }},
	{"ConditionResult", "b", false, func(u *unitInfo) any { return true }},
	{"AssertResult", "b", false, func(u *unitInfo) any { return true }},
	{"ConditionTimestamp", "t", false, func(u *unitInfo) any { return uint64(0) }},
	{"AssertTimestamp", "t", false, func(u *unitInfo) any { return uint64(0) }},
	{"LoadError", "(ss)", false, func(u *unitInfo) any {
		if u.LoadError == "" {
			return loadError{}
		}
		return loadError{ErrNoSuchUnit, u.LoadError}
	}},
	{"StartLimitIntervalUSec", "t", false, func(u *unitInfo) any { return usec(u.cfg().Service.StartLimitInterval) }},
	{"StartLimitBurst", "u", false, func(u *unitInfo) any { return uint32(u.cfg().Service.StartLimitBurst) }},
	{"StartLimitAction", "s", false, func(u *unitInfo) any { return "none" }},
	{"CollectMode", "s", false, func(u *unitInfo) any { return "inactive" }},
}
