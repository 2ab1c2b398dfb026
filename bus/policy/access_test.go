package policy_test

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	mgrPath  = "/org/freedesktop/systemd1"
	systemd1 = "org.freedesktop.systemd1"
	mgrIface = "org.freedesktop.systemd1.Manager"
	svIface  = "io.svunit1.Manager"
	driver   = "org.freedesktop.DBus"
)

// sleeper is a unit running sleep; %s is its [Unit] section's extra lines.
const sleeper = "[Unit]\n%s\n[Service]\nExecStart=/bin/sh -c 'echo hello-from-unit; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n[Install]\nWantedBy=default.target\n"

// TestAccess starts a root manager and drives it as a normal user with
// the svunit CLI and python3-dbus: granted verbs work, everything else is
// refused with AccessDenied naming the rule, and the manager refuses unit
// files that user could change.
func TestAccess(t *testing.T) {
	w := newWorld(t)
	w.write(t, "units/web.unit", fmt.Sprintf(sleeper, "Description=web v1\nAllowUsers="+w.user+":status,logs,restart"), 0o644)
	w.write(t, "units/api.unit", fmt.Sprintf(sleeper, "AllowGroups="+w.group+":start,stop"), 0o644)
	w.write(t, "units/db.unit", fmt.Sprintf(sleeper, "Description=db"), 0o644)
	w.write(t, "units/worker.unit", fmt.Sprintf(sleeper, "Groups=backend"), 0o644)
	w.write(t, "units/cache.unit", fmt.Sprintf(sleeper, "AllowUsers="+w.user+":stop"), 0o644)
	w.write(t, "units/front.unit", fmt.Sprintf(sleeper, "Requires=cache.unit"), 0o644)
	bad := w.write(t, "units/bad.unit", fmt.Sprintf(sleeper, "Description=a user could edit me"), 0o664)
	chgrp(t, bad, w.group)
	access := w.write(t, "access.conf", "# test rules\n[@backend]\nAllowUsers="+w.user+":kill,restart\n", 0o644)
	d := w.startDaemon("bus", "--access", access)

	t.Run("GroupWritableUnitRefused", func(t *testing.T) { testRefusedFile(t, d, bad) })
	t.Run("Allowed", func(t *testing.T) { testAllowed(t, d, access) })
	t.Run("Refused", func(t *testing.T) { testRefused(t, d) })
	t.Run("OtherClients", func(t *testing.T) { testOtherClients(t, d) })
	t.Run("SpoofedSignal", func(t *testing.T) { testSpoofedSignal(t, d) })
	t.Run("AccessConfEdit", func(t *testing.T) { testAccessConfEdit(t, d, access) })
	t.Run("ReloadKeepsTrustedVersion", func(t *testing.T) { testReloadUntrusted(t, d) })
	t.Run("BusGroup", func(t *testing.T) { testBusGroup(t, w) })
}

// testBusGroup runs a second manager whose socket only root and the
// group's members may connect to.
func testBusGroup(t *testing.T, w *world) {
	d := w.startDaemon("groupbus", "--bus-group", w.group, "--access", filepath.Join(w.dir, "none.conf"))
	fi, err := os.Stat(d.socket)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := user.LookupGroup(w.group)
	if fi.Mode().Perm() != 0o660 || fmt.Sprint(fi.Sys().(*syscall.Stat_t).Gid) != g.Gid {
		t.Errorf("socket mode %v, group %d; want 0660 and %s's %s", fi.Mode(), fi.Sys().(*syscall.Stat_t).Gid, w.group, g.Gid)
	}
	if out, errOut, code := d.svunit(t, "status", "db"); code != 0 && code != 3 {
		t.Errorf("a member of %s: status db: exit %d\n%s%s", w.group, code, out, errOut)
	}
	_, errOut, code := w.asUser(t, "nobody", w.bin, "--bus", d.socket, "status", "db")
	if code != 5 || !strings.Contains(errOut, "permission denied") {
		t.Errorf("nobody: status db: exit %d (want 5), stderr %q", code, errOut)
	}
}

func chgrp(t *testing.T, path, group string) {
	t.Helper()
	g, err := user.LookupGroup(group)
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := strconv.Atoi(g.Gid)
	if err := os.Chown(path, 0, gid); err != nil {
		t.Fatal(err)
	}
}

func testRefusedFile(t *testing.T, d *daemon, bad string) {
	d.waitLog(t, bad, "writable by group "+d.w.group, "refused")
	_, errOut, code := d.svunit(t, "status", "bad")
	if code != 4 || !strings.Contains(errOut, "bad") {
		t.Errorf("status of the refused unit: exit %d (want 4, no such unit), stderr %q", code, errOut)
	}
}

func testAllowed(t *testing.T, d *daemon, access string) {
	uid := d.w.uid
	expectCLI(t, d, 0, "", "restart", "web")
	d.waitLog(t, "uid "+uid+" ("+d.w.user+", pid ", "restart web.unit: allowed by", "web.unit:3 AllowUsers="+d.w.user+":status,logs,restart")
	expectCLI(t, d, 0, "", "start", "api") // AllowGroups=, through a supplementary group
	expectCLI(t, d, 0, "", "stop", "api")
	d.waitLog(t, "uid "+uid, "stop api.unit: allowed by", "AllowGroups="+d.w.group+":start,stop")
	expectCLI(t, d, 0, "", "restart", "@backend") // access.conf's [@backend]
	d.waitLog(t, "restart worker.unit: allowed by "+access+":3 [@backend] AllowUsers="+d.w.user+":kill,restart")
	out, _, _ := d.svunit(t, "status") // reading status is open to everyone
	if !strings.Contains(out, "db.unit") || !strings.Contains(out, "web.unit") {
		t.Errorf("status as the user shows:\n%s", out)
	}
	rs := d.pyCalls(t,
		call{systemd1, mgrPath, mgrIface, "KillUnit", "ssi", []any{"worker.unit", "all", 28}},
		call{systemd1, mgrPath, mgrIface, "GetUnit", "s", []any{"db.unit"}},
	)
	for i, r := range rs {
		if !r.OK {
			t.Errorf("allowed call %d refused: %s: %s", i, r.Name, r.Msg)
		}
	}
	// The log file fills asynchronously: poll TailLog until the line is there.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := d.pyCalls(t, call{systemd1, mgrPath, svIface, "TailLog", "ssu", []any{"web.unit", "stdout", 10}})[0]
		if r.OK && strings.Contains(r.Result, "hello-from-") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("TailLog web.unit as the user: %+v", r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// expectCLI runs the svunit CLI as the user and checks the exit status and
// that stderr contains want.
func expectCLI(t *testing.T, d *daemon, code int, want string, args ...string) {
	t.Helper()
	out, errOut, got := d.svunit(t, args...)
	if got != code || !strings.Contains(errOut, want) {
		t.Errorf("svunit %s as the user: exit %d (want %d), stderr %q (want %q)\nstdout: %s",
			strings.Join(args, " "), got, code, errOut, want, out)
	}
}

func testRefused(t *testing.T, d *daemon) {
	u := d.w.user
	expectCLI(t, d, 4, "may not stop web.unit: "+filepath.Join(d.w.dir, "units/web.unit")+":3 AllowUsers="+u+":status,logs,restart grants only status,logs,restart", "stop", "web")
	expectCLI(t, d, 4, "may not restart db.unit: no AllowUsers= or AllowGroups=", "restart", "db")
	expectCLI(t, d, 4, "may not reload", "reload")
	// Stopping cache would stop front, which requires it: both are asked about.
	expectCLI(t, d, 4, "may not stop front.unit", "stop", "cache")
	d.waitLog(t, "uid "+d.w.uid+" ("+u+", pid ", "may not restart db.unit")
	denied := []call{
		{systemd1, mgrPath, mgrIface, "Reload", "", nil},
		{systemd1, mgrPath, svIface, "Reload", "", nil},
		{systemd1, mgrPath, mgrIface, "ResetFailed", "", nil},
		{systemd1, mgrPath, mgrIface, "StopUnit", "ss", []any{"db.unit", "replace"}},
		{systemd1, mgrPath, mgrIface, "KillUnit", "ssi", []any{"api.unit", "all", 28}},
		{systemd1, mgrPath, svIface, "StartUnits", "as", []any{[]string{"all"}}},
		{systemd1, mgrPath, svIface, "TailLog", "ssu", []any{"db.unit", "stdout", 10}},
		{systemd1, mgrPath + "/unit/db_2eunit", "org.freedesktop.systemd1.Unit", "Restart", "s", []any{"replace"}},
		{driver, "/org/freedesktop/DBus", driver, "RequestName", "su", []any{systemd1, 0}},
		{driver, "/org/freedesktop/DBus", driver, "RequestName", "su", []any{"io.svunit1", 0}},
		{driver, "/org/freedesktop/DBus", driver, "AddMatch", "s", []any{"eavesdrop=true,type='method_call'"}},
		{driver, "/org/freedesktop/DBus", "org.freedesktop.DBus.Monitoring", "BecomeMonitor", "asu", []any{[]string{}, 0}},
	}
	for i, r := range d.pyCalls(t, denied...) {
		if r.OK || r.Name != "org.freedesktop.DBus.Error.AccessDenied" || !strings.Contains(r.Msg, "uid "+d.w.uid) {
			t.Errorf("%s.%s as the user: got %+v, want AccessDenied naming the uid", denied[i].Iface, denied[i].Method, r)
		}
	}
}

// testOtherClients checks that the user may call the manager by its unique
// name, but not another client of the bus (here one of root's).
func testOtherClients(t *testing.T, d *daemon) {
	conn, err := dbus.Connect("unix:path=" + d.socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	called := make(chan string, 1)
	if err := conn.Export(victim{called}, "/act", "test.Act"); err != nil {
		t.Fatal(err)
	}
	var mgrName string
	if err := conn.BusObject().Call(driver+".GetNameOwner", 0, systemd1).Store(&mgrName); err != nil {
		t.Fatal(err)
	}
	rs := d.pyCalls(t,
		call{conn.Names()[0], "/act", "test.Act", "Do", "s", []any{"stop everything"}},
		call{mgrName, mgrPath, mgrIface, "GetUnit", "s", []any{"web.unit"}},
	)
	if rs[0].OK || rs[0].Name != "org.freedesktop.DBus.Error.AccessDenied" || !strings.Contains(rs[0].Msg, conn.Names()[0]) {
		t.Errorf("a call to root's client %s: %+v, want AccessDenied naming it", conn.Names()[0], rs[0])
	}
	select {
	case arg := <-called:
		t.Errorf("root's client was called by the user with %q", arg)
	default:
	}
	if !rs[1].OK {
		t.Errorf("GetUnit on the manager's unique name %s: %+v", mgrName, rs[1])
	}
}

// testSpoofedSignal has the user broadcast a JobRemoved as if from the
// manager; root's subscriber must not get it. Root then sends itself a
// barrier signal: the bus delivers to one connection in order, so had
// the spoof gone through, it would arrive first.
func testSpoofedSignal(t *testing.T, d *daemon) {
	conn, err := dbus.Connect("unix:path=" + d.socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath("/spoof")); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan *dbus.Signal, 8)
	conn.Signal(sigs)
	d.pyCalls(t, call{"", "/spoof", mgrIface, "JobRemoved", "", nil},
		call{systemd1, mgrPath, mgrIface, "GetUnit", "s", []any{"web.unit"}}) // the bus has routed the signal before this reply
	if err := conn.Emit("/spoof", "test.spoof.Barrier"); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case s := <-sigs:
			if s.Name == "test.spoof.Barrier" {
				d.waitLog(t, "uid "+d.w.uid, "may not send the signal "+mgrIface+".JobRemoved")
				return
			}
			t.Fatalf("root's subscriber got the user's %s from %s", s.Name, s.Sender)
		case <-time.After(10 * time.Second):
			t.Fatal("root's own barrier signal did not come back within 10s")
		}
	}
}

// victim is an object a root client exports; nobody else may call it.
type victim struct{ called chan string }

func (v victim) Do(arg string) *dbus.Error {
	v.called <- arg
	return nil
}

// testAccessConfEdit grants stop on db.unit by editing access.conf, which
// takes effect without a signal; a bad edit keeps the rules in force.
func testAccessConfEdit(t *testing.T, d *daemon, access string) {
	expectCLI(t, d, 4, "may not stop db.unit", "stop", "db")
	d.w.write(t, "access.conf", "[@backend]\nAllowUsers="+d.w.user+":kill,restart\n\n[db]\nAllowUsers="+d.w.user+":stop\n", 0o644)
	expectCLI(t, d, 0, "", "stop", "db")
	d.waitLog(t, "stop db.unit: allowed by "+access+":5 [db] AllowUsers="+d.w.user+":stop")
	d.w.write(t, "access.conf", "[db]\nAllowUsers=svunit-no-such-user:stop\nBogus=1\n", 0o644)
	expectCLI(t, d, 0, "", "start", "api")
	expectCLI(t, d, 0, "", "stop", "db") // the previous rules stay
	d.waitLog(t, access+":2: db.AllowUsers: user \"svunit-no-such-user\" does not exist", "previous rules stay in force")
}

// testReloadUntrusted makes web.unit group-writable and changes it; a
// reload keeps the definition loaded while the file was root's alone.
func testReloadUntrusted(t *testing.T, d *daemon) {
	web := d.w.write(t, "units/web.unit", fmt.Sprintf(sleeper, "Description=web v2\nAllowUsers="+d.w.user+":all"), 0o664)
	chgrp(t, web, d.w.group)
	out, err := exec.Command(d.w.bin, "--bus", d.socket, "reload").CombinedOutput()
	if err != nil {
		t.Logf("svunit reload as root: %v\n%s", err, out)
	}
	d.waitLog(t, web, "writable by group "+d.w.group)
	got, err := exec.Command("busctl", "--address=unix:path="+d.socket, "get-property", systemd1,
		mgrPath+"/unit/web_2eunit", "org.freedesktop.systemd1.Unit", "Description").CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != `s "web v1"` {
		t.Errorf("web.unit's Description after a reload of the group-writable file: %q, %v (want the trusted \"web v1\")", got, err)
	}
	expectCLI(t, d, 4, "may not stop web.unit", "stop", "web")
}
