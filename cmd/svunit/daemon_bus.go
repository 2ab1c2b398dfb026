package main

import (
	"fmt"
	"log"
	"os"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/pflag"

	"svunit.dev/svunit/bus"
	"svunit.dev/svunit/bus/api"
	"svunit.dev/svunit/units/manager"
)

// daemonJoin is 'svunit daemon --join': also serve the API on a shared bus.
var daemonJoin string

// bindDaemonBusFlags adds the daemon's bus flags to fs.
func bindDaemonBusFlags(fs *pflag.FlagSet) {
	fs.StringVar(&daemonJoin, "join", "", "also serve the API on the shared session or system bus, as io.svunit1")
}

// serveBus serves the D-Bus API for m on svunit's own bus at p.Bus (as
// org.freedesktop.systemd1 and io.svunit1), and with --join also on the
// session or system dbus-daemon (as io.svunit1 only). It returns how to
// stop both.
func serveBus(m *manager.Manager, p paths, da *daemonAccess) (stop func(), err error) {
	logger := log.New(os.Stderr, "svunit: ", 0)
	if daemonJoin != "" && daemonJoin != "session" && daemonJoin != "system" {
		return nil, usageErrorf("--join %q: want session or system", daemonJoin)
	}
	srv, err := bus.Listen(da.busConfig(bus.Config{Path: p.Bus, Logf: logger.Printf}))
	if err != nil {
		return nil, fmt.Errorf("%v (is another svunit daemon running? pass --bus PATH to run a second one)", err)
	}
	if err := da.attach(srv, p.Bus); err != nil {
		srv.Close()
		return nil, err
	}
	go srv.Serve()
	a, err := api.New(api.Config{Manager: m, Logf: logger.Printf, Access: da.policy, Version: versionString()})
	if err == nil {
		var conn *dbus.Conn
		if conn, err = a.Dial(srv.Address(), api.SystemdName, api.SvunitName); err == nil {
			da.policy.Serve(conn.Names()...)
		}
	}
	if err == nil && daemonJoin != "" {
		_, err = a.Join(daemonJoin)
	}
	if err != nil {
		if a != nil {
			a.Close()
		}
		srv.Close()
		return nil, err
	}
	return func() { a.Close(); srv.Close() }, nil
}
