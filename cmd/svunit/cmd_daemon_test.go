//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestDaemonSignals runs 'svunit daemon' for real: it starts the enabled
// units, SIGHUP loads a unit added since, and SIGTERM stops every child and
// exits 0.
func TestDaemonSignals(t *testing.T) {
	enabled := "[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\n[Install]\nWantedBy=default.target\n"
	d := startDaemon(t, buildSvunit(t), map[string]string{
		"a.unit":    enabled,
		"b.unit":    enabled,
		"idle.unit": "[Service]\nExecStart=/bin/sleep 1000\n",
	})
	pid := d.proc.cmd.Process.Pid
	kids := waitChildren(t, pid, 2)

	writeTestFile(t, filepath.Join(d.dir, "units", "c.unit"), enabled)
	d.proc.cmd.Process.Signal(syscall.SIGHUP)
	kids = waitChildren(t, pid, 3)

	if err := d.proc.stop(); err != nil {
		t.Fatal(err)
	}
	for _, k := range kids {
		if syscall.Kill(k, 0) == nil {
			t.Errorf("child %d outlived the daemon", k)
		}
	}
}

// waitChildren waits until pid has n children and returns them.
func waitChildren(t *testing.T, pid, n int) []int {
	t.Helper()
	var kids []int
	waitFor(t, fmt.Sprintf("the daemon to have %d children", n), func() bool {
		kids = nil
		tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		for _, task := range tasks {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
			for _, f := range strings.Fields(string(b)) {
				k, _ := strconv.Atoi(f)
				kids = append(kids, k)
			}
		}
		return len(kids) == n // polled: there is no event for a child appearing
	})
	return kids
}

// TestDaemonUsage: the daemon takes no arguments, and its help names its
// signals.
func TestDaemonUsage(t *testing.T) {
	bin := buildSvunit(t)
	if _, stderr, code := runSvunit(t, bin, "daemon", "extra"); code != exitUsage || !strings.Contains(stderr, `"extra"`) {
		t.Errorf("daemon extra: status %d, stderr %q", code, stderr)
	}
	stdout, _, code := runSvunit(t, bin, "daemon", "--help")
	for _, want := range []string{"SIGTERM", "SIGHUP", "--units", "--log-dir"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("daemon --help (status %d) lacks %q", code, want)
		}
	}
}
