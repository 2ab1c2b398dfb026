package bus

import (
	"fmt"

	"github.com/godbus/dbus/v5"
)

// Cred is what the kernel says about the process at the other end of a
// connection, read once when it connects.
type Cred struct {
	UID, GID uint32
	PID      int32    // 0 where the platform does not tell (FreeBSD)
	Groups   []uint32 // supplementary groups, from the user database
}

// Policy decides who may own names and who may send what. The bus asks it
// from the sending connection's goroutine, so it must be safe for concurrent
// use and should not block. A non-nil error denies; its text becomes the
// org.freedesktop.DBus.Error.AccessDenied message.
type Policy interface {
	// CanOwn is asked on RequestName.
	CanOwn(c Cred, name string) error
	// CanSend is asked for each method call and signal entering the bus,
	// except calls to the bus itself. m carries the header fields (SENDER
	// set by the bus) but no Body: the bus does not decode bodies for
	// access checks; a decision that depends on arguments belongs to the
	// service that receives the call.
	CanSend(c Cred, m *dbus.Message) error
	// CanEavesdrop is asked for AddMatch with eavesdrop=true and for
	// BecomeMonitor (rule "" when the monitor asks for everything).
	CanEavesdrop(c Cred, rule string) error
}

// DefaultPolicy lets ownerUID and root own names and eavesdrop, and anyone
// send anything; per-call access is left to the services.
func DefaultPolicy(ownerUID uint32) Policy { return defaultPolicy{owner: ownerUID} }

type defaultPolicy struct{ owner uint32 }

func (p defaultPolicy) privileged(c Cred) bool { return c.UID == 0 || c.UID == p.owner }

func (p defaultPolicy) CanOwn(c Cred, name string) error {
	if p.privileged(c) {
		return nil
	}
	return fmt.Errorf("uid %d may not own %q on this bus: only uid %d and root may own names", c.UID, name, p.owner)
}

func (p defaultPolicy) CanSend(Cred, *dbus.Message) error { return nil }

func (p defaultPolicy) CanEavesdrop(c Cred, rule string) error {
	if p.privileged(c) {
		return nil
	}
	return fmt.Errorf("uid %d may not eavesdrop on this bus: only uid %d and root may", c.UID, p.owner)
}
