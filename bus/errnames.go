package bus

import "encoding/binary"

// Error names the bus replies with (D-Bus specification and dbus-daemon).
const (
	errAccessDenied     = "org.freedesktop.DBus.Error.AccessDenied"
	errServiceUnknown   = "org.freedesktop.DBus.Error.ServiceUnknown"
	errNameHasNoOwner   = "org.freedesktop.DBus.Error.NameHasNoOwner"
	errNoReply          = "org.freedesktop.DBus.Error.NoReply"
	errInvalidArgs      = "org.freedesktop.DBus.Error.InvalidArgs"
	errUnknownMethod    = "org.freedesktop.DBus.Error.UnknownMethod"
	errUnknownInterface = "org.freedesktop.DBus.Error.UnknownInterface"
	errUnknownProperty  = "org.freedesktop.DBus.Error.UnknownProperty"
	errLimitsExceeded   = "org.freedesktop.DBus.Error.LimitsExceeded"
	errNotSupported     = "org.freedesktop.DBus.Error.NotSupported"
	errMatchInvalid     = "org.freedesktop.DBus.Error.MatchRuleInvalid"
	errMatchNotFound    = "org.freedesktop.DBus.Error.MatchRuleNotFound"
	errPIDUnknown       = "org.freedesktop.DBus.Error.UnixProcessIdUnknown"
	errSELinuxUnknown   = "org.freedesktop.DBus.Error.SELinuxSecurityContextUnknown"
	errAuditUnknown     = "org.freedesktop.DBus.Error.AdtAuditDataUnknown"
	errFailed           = "org.freedesktop.DBus.Error.Failed"
)

// littleEndian is the byte order of the messages the bus itself writes.
var littleEndian = binary.LittleEndian
