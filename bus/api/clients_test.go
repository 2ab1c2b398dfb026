package api

import (
	"strings"
	"testing"
)

// Each client starts a unit, reads ActiveState, stops it and reads it again.

func TestGdbus(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	gdbus := func(path, method string, args ...string) string {
		out, _ := h.run(false, "gdbus", append([]string{"call", "--address", h.addr, "--dest", SystemdName,
			"--object-path", path, "--method", method}, args...)...)
		return strings.TrimSpace(out)
	}
	activeState := func() string {
		return gdbus(string(UnitPath("web.unit")), ifaceProperties+".Get", ifaceUnit, "ActiveState")
	}
	if out := gdbus(string(ManagerPath), ifaceManager+".StartUnit", "web.unit", "replace"); !strings.HasPrefix(out, "(objectpath '/org/freedesktop/systemd1/job/") {
		t.Fatalf("StartUnit: %s", out)
	}
	h.waitActive("web.unit", "active")
	if got := activeState(); got != "(<'active'>,)" {
		t.Errorf("ActiveState = %s", got)
	}
	gdbus(string(ManagerPath), ifaceManager+".StopUnit", "web.unit", "replace")
	h.waitActive("web.unit", "inactive")
	if got := activeState(); got != "(<'inactive'>,)" {
		t.Errorf("after stop, ActiveState = %s", got)
	}
}

// dbus-send registers on a bus with --bus=ADDRESS; its --address is
// --peer, a connection without Hello.
func TestDbusSend(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	send := func(path, method string, args ...string) string {
		out, _ := h.run(false, "dbus-send", append([]string{"--bus=" + h.addr, "--print-reply", "--dest=" + SystemdName, path, method}, args...)...)
		return out
	}
	activeState := func() string {
		return send(string(UnitPath("web.unit")), ifaceProperties+".Get", "string:"+ifaceUnit, "string:ActiveState")
	}
	send(string(ManagerPath), ifaceManager+".StartUnit", "string:web.unit", "string:replace")
	h.waitActive("web.unit", "active")
	if out := activeState(); !strings.Contains(out, `variant       string "active"`) {
		t.Errorf("ActiveState reply:\n%s", out)
	}
	send(string(ManagerPath), ifaceManager+".StopUnit", "string:web", "string:replace")
	h.waitActive("web.unit", "inactive")
	if out := activeState(); !strings.Contains(out, `string "inactive"`) {
		t.Errorf("after stop, ActiveState reply:\n%s", out)
	}
}

// pythonClient starts and stops a unit with python3-dbus and prints the
// ActiveState it reads after each, waiting for JobRemoved as systemctl does.
const pythonClient = `
import sys, dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
mgr = dbus.Interface(bus.get_object('org.freedesktop.systemd1', '/org/freedesktop/systemd1'), 'org.freedesktop.systemd1.Manager')
mgr.Subscribe()
loop = GLib.MainLoop()
pending = {}
def removed(id, job, unit, result):
    if job in pending:
        pending[job] = result
        loop.quit()
bus.add_signal_receiver(removed, 'JobRemoved', 'org.freedesktop.systemd1.Manager')
def run(method):
    job = getattr(mgr, method)('web.unit', 'replace')
    pending[job] = None
    while pending[job] is None:
        loop.run()
    unit = bus.get_object('org.freedesktop.systemd1', mgr.GetUnit('web.unit'))
    state = unit.Get('org.freedesktop.systemd1.Unit', 'ActiveState', dbus_interface='org.freedesktop.DBus.Properties')
    print(method, pending[job], state)
run('StartUnit')
run('StopUnit')
`

func TestPythonDbus(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	out, _ := h.run(false, "/usr/bin/python3", "-c", pythonClient, h.addr)
	want := "StartUnit done active\nStopUnit done inactive\n"
	if out != want {
		t.Errorf("python3-dbus printed %q, want %q", out, want)
	}
}
