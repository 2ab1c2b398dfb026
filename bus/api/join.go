package api

import (
	"fmt"

	"github.com/godbus/dbus/v5"
)

// Join serves the API on the shared "session" or "system" bus (a
// dbus-daemon) under io.svunit1 only: org.freedesktop.systemd1 there
// belongs to systemd. The system bus lets a service own a name only when
// its policy (a file in /etc/dbus-1/system.d) says so; docs/dbus-api.md
// has one.
func (a *API) Join(which string) (*dbus.Conn, error) {
	var dial func(...dbus.ConnOption) (*dbus.Conn, error)
	switch which {
	case "session":
		dial = dbus.SessionBusPrivate
	case "system":
		dial = dbus.SystemBusPrivate
	default:
		return nil, fmt.Errorf("api: join %q: want session or system", which)
	}
	conn, err := dial(dbus.WithHandler(a.Handler()))
	if err != nil {
		return nil, fmt.Errorf("api: join the %s bus: %w", which, err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("api: join the %s bus: authenticate: %w", which, err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("api: join the %s bus: Hello: %w", which, err)
	}
	a.markShared(conn)
	if err := a.Serve(conn, SvunitName); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
