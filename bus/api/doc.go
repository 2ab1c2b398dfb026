// Package api exports a units/manager.Manager on a D-Bus connection in
// systemd's shape, so that the clients people already have (systemctl
// --user, busctl, gdbus, dbus-send, python-dbus, go-systemd) drive svunit
// unchanged.
//
// The manager appears as org.freedesktop.systemd1 (on svunit's own bus) and
// io.svunit1: the object /org/freedesktop/systemd1 carries
// org.freedesktop.systemd1.Manager and io.svunit1.Manager; each unit is
// /org/freedesktop/systemd1/unit/<escaped name> with
// org.freedesktop.systemd1.Unit, org.freedesktop.systemd1.Service and
// io.svunit1.Unit; each pending job is /org/freedesktop/systemd1/job/<id>.
// docs/dbus-api.md lists every method, property and signal.
//
// Concurrency: godbus runs each incoming call on its own goroutine; calls
// read the manager's immutable snapshots and hold no lock across I/O. One
// goroutine (the pump) turns the manager's events into signals, so each
// unit's signals keep the manager's order, and the manager never waits
// for it: if the pump falls behind, the manager drops its subscription and
// the pump re-sends every unit's state. A JobRemoved signal is held back
// until the reply naming its job has been sent, as clients (systemctl, the
// svunit CLI) only wait for jobs they already know. Unit signals go out
// only while a client that called Subscribe is connected (subscribers.go).
//
// Access: calls on svunit's own bus are checked by Config.Access; on a
// shared bus joined with Join only root and the daemon's user may change
// anything (shared.go).
//
// The package does not parse unit files, spawn processes or route bus
// messages: those belong to units, units/manager and bus. Properties are
// read-only; unit settings change by editing files and reloading.
package api
