package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"svunit.dev/svunit/bus/api"
)

// TestDropInsEndToEnd drives drop-ins through a real daemon as a user
// would: cat prints them after the unit, verify and reload report a bad one
// at its file and line (the running program keeps its old definition),
// reload restarts the unit when a drop-in is added, changed or removed, and
// the bus lists them in DropInPaths.
func TestDropInsEndToEnd(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"web.unit": "[Unit]\nDescription=plain\n[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\nTimeoutStopSec=5s\n",
	})
	units := filepath.Join(d.dir, "units")
	unitFile, dropIn := filepath.Join(units, "web.unit"), filepath.Join(units, "web.unit.d", "10-desc.conf")
	d.expect(0, "start", "web")
	pid := d.status("web")[0]["pid"]

	if err := os.Mkdir(filepath.Join(units, "web.unit.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, dropIn, "[Unit]\nDescription=from a drop-in\n")
	writeTestFile(t, filepath.Join(units, "web.unit.d", "notes.txt"), "not a drop-in\n")
	out, _ := d.expect(0, "cat", "--units", units, "web")
	unitText, _ := os.ReadFile(unitFile)
	if want := "# " + unitFile + "\n" + string(unitText) + "\n# " + dropIn + "\n[Unit]\nDescription=from a drop-in\n"; out != want {
		t.Errorf("cat web:\n%s\nwant:\n%s", out, want)
	}
	if out, _ := d.expect(0, "reload"); out != "web.unit: changed\n" {
		t.Errorf("reload after adding a drop-in: %q", out)
	}
	st := restarted(t, d, pid, "from a drop-in")
	if got := dropInPaths(t, d); !reflect.DeepEqual(got, []string{dropIn}) {
		t.Errorf("DropInPaths = %q, want %q", got, dropIn)
	}

	// A bad drop-in: reported at its line, and the unit runs on unchanged.
	pid = st["pid"]
	writeTestFile(t, dropIn, "[Unit]\nDescription=from a drop-in\n[Service]\nRestartSec=soon\n")
	wantErr := dropIn + `:4: Service.RestartSec: "soon" is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)`
	if _, errOut, code := d.svunit("verify", "--units", units); code != 1 || !strings.Contains(errOut, wantErr+"\n") {
		t.Errorf("verify with a bad drop-in: exit %d, %q", code, errOut)
	}
	if _, errOut, code := d.svunit("reload"); code != 1 || !strings.Contains(errOut, wantErr) {
		t.Errorf("reload with a bad drop-in: exit %d, %q", code, errOut)
	}
	if st := d.status("web")[0]; st["pid"] != pid || st["description"] != "from a drop-in" {
		t.Errorf("a bad drop-in touched the running unit: %v (pid was %v)", st, pid)
	}

	if err := os.Remove(dropIn); err != nil {
		t.Fatal(err)
	}
	// "changed", not "added": the bad drop-in left the unit loaded.
	if out, _ := d.expect(0, "reload"); out != "web.unit: changed\n" {
		t.Errorf("reload after removing the drop-in: %q", out)
	}
	restarted(t, d, pid, "plain")
	if got := dropInPaths(t, d); len(got) != 0 {
		t.Errorf("DropInPaths = %q after the drop-in was removed", got)
	}
	d.expect(0, "stop", "web")
}

// restarted waits for web.unit to run again under a pid other than pid
// with the given description (reload queues the restart and returns), and
// returns its status.
func restarted(t *testing.T, d *daemon, pid any, description string) map[string]any {
	t.Helper()
	var st map[string]any
	waitFor(t, "web.unit to restart as "+description, func() bool {
		st = d.status("web")[0]
		return st["description"] == description && st["pid"] != pid && st["pid"] != nil && st["active_state"] == "active"
	})
	return st
}

// dropInPaths reads web.unit's DropInPaths over the bus.
func dropInPaths(t *testing.T, d *daemon) []string {
	t.Helper()
	v, err := d.connect().call.Object(api.SvunitName, api.UnitPath("web.unit")).GetProperty("org.freedesktop.systemd1.Unit.DropInPaths")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	if err := v.Store(&paths); err != nil || v.Signature().String() != "as" {
		t.Fatalf("DropInPaths has type %s: %v", v.Signature(), err)
	}
	return paths
}
