//go:build linux

package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDaemonSignals runs 'svunit daemon' for real: it starts the enabled
// units, SIGHUP loads a unit added since, and SIGTERM stops every child and
// exits 0.
func TestDaemonSignals(t *testing.T) {
	bin := buildSvunit(t)
	dir := t.TempDir()
	units := filepath.Join(dir, "units")
	os.Mkdir(units, 0o755)
	enabled := "[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\n[Install]\nWantedBy=default.target\n"
	os.WriteFile(filepath.Join(units, "a.unit"), []byte(enabled), 0o644)
	os.WriteFile(filepath.Join(units, "b.unit"), []byte(enabled), 0o644)
	os.WriteFile(filepath.Join(units, "idle.unit"), []byte("[Service]\nExecStart=/bin/sleep 1000\n"), 0o644)

	cmd := exec.Command(bin, "daemon", "--units", units, "--bus", filepath.Join(dir, "bus"), "--log-dir", filepath.Join(dir, "log"))
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "manager ready") {
		t.Fatalf("ready line: %q, %v", line, err)
	}
	go io.Copy(io.Discard, out)
	pid := cmd.Process.Pid
	kids := waitChildren(t, pid, 2)

	os.WriteFile(filepath.Join(units, "c.unit"), []byte(enabled), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	kids = waitChildren(t, pid, 3)

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("daemon exited with %v after SIGTERM, want status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("daemon did not exit after SIGTERM")
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
	deadline := time.Now().Add(20 * time.Second)
	for {
		var kids []int
		tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		for _, task := range tasks {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
			for _, f := range strings.Fields(string(b)) {
				k, _ := strconv.Atoi(f)
				kids = append(kids, k)
			}
		}
		if len(kids) == n {
			return kids
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon has %d children, want %d", len(kids), n)
		}
		time.Sleep(5 * time.Millisecond) // polling /proc: there is no event for a child appearing
	}
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
