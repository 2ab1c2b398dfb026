package api

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// systemctl runs systemctl --user against the harness's bus: with
// $XDG_RUNTIME_DIR/systemd/private absent it connects to
// $XDG_RUNTIME_DIR/bus, which is svunit's socket.
func (h *harness) systemctl(wantErr bool, args ...string) (string, string) {
	h.t.Helper()
	return h.runEnv([]string{"XDG_RUNTIME_DIR=" + h.dir, "SYSTEMD_PAGER=cat", "SYSTEMD_COLORS=0", "LANG=C"}, wantErr,
		"systemctl", append([]string{"--user", "--no-pager"}, args...)...)
}

func TestSystemctlUser(t *testing.T) {
	if _, err := exec.LookPath("systemctl"); err != nil {
		t.Fatal("systemctl is not installed: add systemd to .ci/deps")
	}
	h := newHarness(t, map[string]string{
		"web.unit":   helperUnit("sleep", "Unit: Description=the web helper"),
		"crash.unit": helperUnit("crash", "Service: Restart=no"),
	})
	h.systemctl(false, "start", "web.unit")
	if s, _ := h.m.Unit("web.unit"); s.ActiveState != "active" {
		t.Fatalf("after systemctl start, web.unit is %s", s.ActiveState)
	}
	out, _ := h.systemctl(false, "show", "-p", "ActiveState", "web.unit")
	if strings.TrimSpace(out) != "ActiveState=active" {
		t.Errorf("show -p ActiveState = %q", out)
	}
	out, _ = h.systemctl(false, "list-units")
	if !strings.Contains(out, "web.unit") || !strings.Contains(out, "the web helper") {
		t.Errorf("list-units lacks web.unit:\n%s", out)
	}
	out, _ = h.systemctl(false, "status", "web.unit")
	s, _ := h.m.Unit("web.unit")
	for _, want := range []string{"web.unit - the web helper", "Active: active (running)", "Main PID: " + itoa(s.MainPID)} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	// Without a unit: the manager, and the processes of its units only
	// (not, as systemctl falls back to, every process in the machine's
	// cgroup, which would include this test).
	out, errOut := h.systemctl(false, "status")
	for _, want := range []string{"Units: 2 loaded", "Since: ", "web.unit"} {
		if !strings.Contains(out, want) {
			t.Errorf("status without a unit lacks %q:\n%s", want, out)
		}
	}
	if pids := listedPIDs(out); !pids[s.MainPID] || pids[os.Getpid()] || pids[1] {
		t.Errorf("status without a unit lists pids %v; want web.unit's %d and neither this test's %d nor 1:\n%s", pids, s.MainPID, os.Getpid(), out)
	}
	if strings.Contains(out, "(null)") || errOut != "" {
		t.Errorf("status without a unit:\n%s%s", out, errOut)
	}
	for _, verb := range [][]string{{"restart", "web.unit"}, {"try-restart", "web"}, {"reload-or-restart", "web"}, {"kill", "-s", "HUP", "--kill-whom=main", "crash.unit"}, {"list-jobs"}, {"daemon-reload"}} {
		if verb[0] == "kill" {
			h.systemctl(false, "start", "crash.unit")
			h.waitActive("crash.unit", "failed") // it exits 3 at once; kill then finds nothing
			h.systemctl(true, verb...)
			continue
		}
		if _, errOut := h.systemctl(false, verb...); errOut != "" {
			t.Errorf("systemctl %s succeeded but printed:\n%s", strings.Join(verb, " "), errOut)
		}
	}
	if out, _ := h.systemctl(false, "is-active", "web.unit"); strings.TrimSpace(out) != "active" {
		t.Errorf("is-active web.unit = %q", out)
	}
	if out, _ := h.systemctl(false, "is-failed", "crash.unit"); strings.TrimSpace(out) != "failed" {
		t.Errorf("is-failed crash.unit = %q", out)
	}
	h.systemctl(false, "reset-failed", "crash.unit")
	h.waitActive("crash.unit", "inactive")
	if _, errOut := h.systemctl(false, "stop", "web"); errOut != "" {
		t.Errorf("systemctl stop succeeded but printed:\n%s", errOut)
	}
	if s, _ := h.m.Unit("web.unit"); s.ActiveState != "inactive" {
		t.Fatalf("after systemctl stop, web.unit is %s", s.ActiveState)
	}
	out, _ = h.systemctl(true, "status", "web.unit")
	if !strings.Contains(out, "Active: inactive (dead)") {
		t.Errorf("status after stop:\n%s", out)
	}
	if out, errOut = h.systemctl(true, "status", "nosuch.unit"); out != "" || !strings.Contains(errOut, "nosuch.unit.service could not be found") {
		t.Errorf("status of a missing unit:\n%s%s", out, errOut)
	}
	_, errOut = h.systemctl(true, "start", "nosuch.unit")
	if !strings.Contains(errOut, "nosuch.unit") || !strings.Contains(errOut, "not found") {
		t.Errorf("start of a missing unit said %q", errOut)
	}
}

// listedPIDs returns the pids in the process tree systemctl status draws:
// lines whose first word after the tree's lines is a number.
func listedPIDs(out string) map[int]bool {
	pids := map[int]bool{}
	for _, line := range strings.Split(out, "\n") {
		rest := strings.TrimLeft(line, " |`-─├└│")
		if len(rest) == len(line) {
			continue // not a tree line
		}
		if f := strings.Fields(rest); len(f) > 0 {
			if pid, err := strconv.Atoi(f[0]); err == nil {
				pids[pid] = true
			}
		}
	}
	return pids
}
