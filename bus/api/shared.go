package api

import (
	"os"

	"github.com/godbus/dbus/v5"
)

// On a shared bus (Join) a caller's unique name means nothing on svunit's
// own bus, where Config.Access looks callers up: ":1.7" there may be
// someone else. So calls that change something are allowed on a shared bus
// only to root and to the daemon's own user, asked of that bus itself;
// reading stays open to whoever the bus lets through.

// markShared records conn as a shared bus connection.
func (a *API) markShared(conn *dbus.Conn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.shared[conn] = true
}

func (a *API) isShared(conn *dbus.Conn) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.shared[conn]
}

// permit decides whether c may run m: Config.Access on svunit's bus, the
// rule above on a shared one.
func (a *API) permit(c *call, m *method) error {
	if !a.isShared(c.conn) {
		return a.authorize(c, m)
	}
	if managerVerbs[m.name] == "" && unitVerbs[m.name] == "" && m.name != "Cancel" {
		return nil // reads only
	}
	var uid uint32
	if err := c.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixUser", 0, c.sender).Store(&uid); err != nil {
		return busError(ErrAccessDenied, "Cannot tell who %s is on this bus (%v), so %s is refused.", c.sender, err, m.name)
	}
	if uid != 0 && int(uid) != os.Getuid() {
		return busError(ErrAccessDenied, "On a shared bus only root and uid %d may call %s; use svunit's own bus, where the access rules apply.", os.Getuid(), m.name)
	}
	return nil
}
