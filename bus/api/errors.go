package api

import (
	"fmt"

	"github.com/godbus/dbus/v5"
)

// D-Bus error names the API replies with. Clients branch on these names, so
// they are systemd's wherever systemd has the case and io.svunit1.* only for
// what systemd lacks; the message in the body is for a person.
const (
	ErrNoSuchUnit        = "org.freedesktop.systemd1.NoSuchUnit"
	ErrNoSuchJob         = "org.freedesktop.systemd1.NoSuchJob"
	ErrNoUnitForPID      = "org.freedesktop.systemd1.NoUnitForPID"
	ErrJobTypeNotApplies = "org.freedesktop.systemd1.JobTypeNotApplicable"
	ErrReloadFailed      = "io.svunit1.ReloadFailed"
	ErrInvalidArgs       = "org.freedesktop.DBus.Error.InvalidArgs"
	ErrUnknownMethod     = "org.freedesktop.DBus.Error.UnknownMethod"
	ErrUnknownInterface  = "org.freedesktop.DBus.Error.UnknownInterface"
	ErrUnknownProperty   = "org.freedesktop.DBus.Error.UnknownProperty"
	ErrUnknownObject     = "org.freedesktop.DBus.Error.UnknownObject"
	ErrPropertyReadOnly  = "org.freedesktop.DBus.Error.PropertyReadOnly"
	ErrAccessDenied      = "org.freedesktop.DBus.Error.AccessDenied"
	ErrFailed            = "org.freedesktop.DBus.Error.Failed"
	ErrNotSupported      = "org.freedesktop.DBus.Error.NotSupported"
	ErrLimitsExceeded    = "org.freedesktop.DBus.Error.LimitsExceeded"
)

// busError returns a D-Bus error called name whose body is one formatted
// string, as systemd and sd-bus clients expect.
func busError(name, format string, args ...any) *dbus.Error {
	return dbus.NewError(name, []any{fmt.Sprintf(format, args...)})
}

func noSuchUnit(name string) *dbus.Error {
	return busError(ErrNoSuchUnit, "Unit %s not found.", name)
}
