package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A daemon is a real 'svunit daemon' process serving a temporary unit
// directory on a temporary bus.
type daemon struct {
	t                testing.TB
	bin, dir, socket string
}

const sleepUnit = "[Unit]\nDescription=sleeper %s\nGroups=backend\n[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\nTimeoutStopSec=5s\n"

// crashUnit prints a line, then exits 3 right after starting.
const crashUnit = "[Service]\nExecStart=/bin/sh -c 'echo boom; exit 3'\nStartSecs=0\nRestart=no\n"

// startDaemon runs the daemon and waits for its ready line; Cleanup sends
// SIGTERM and waits for it (and so for its children) to exit.
func startDaemon(t *testing.T, bin string, files map[string]string) *daemon {
	return startDaemonTB(t, bin, files)
}

// startDaemonTB is startDaemon for tests and benchmarks.
func startDaemonTB(t testing.TB, bin string, files map[string]string) *daemon {
	t.Helper()
	d := &daemon{t: t, bin: bin, dir: t.TempDir()}
	units := filepath.Join(d.dir, "units")
	os.Mkdir(units, 0o755)
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(units, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d.socket = filepath.Join(d.dir, "bus")
	cmd := exec.Command(bin, "daemon", "--units", units, "--bus", d.socket, "--log-dir", filepath.Join(d.dir, "log"))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("daemon exited with %v after SIGTERM", err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("daemon did not exit within 30s of SIGTERM")
		}
	})
	ready, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(ready, "manager ready") {
		t.Fatalf("daemon did not get ready: %q, %v", ready, err)
	}
	go io.Copy(io.Discard, out)
	return d
}

// svunit runs a client verb against the daemon.
func (d *daemon) svunit(args ...string) (string, string, int) {
	d.t.Helper()
	t, ok := d.t.(*testing.T)
	if !ok {
		d.t.Fatal("daemon.svunit is for tests")
	}
	return runSvunit(t, d.bin, append([]string{"--bus", d.socket}, args...)...)
}

// expect runs a verb and checks its exit status.
func (d *daemon) expect(code int, args ...string) (string, string) {
	d.t.Helper()
	out, errOut, got := d.svunit(args...)
	if got != code {
		d.t.Fatalf("svunit %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), got, code, out, errOut)
	}
	return out, errOut
}

func TestCLIOverBus(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"web.unit":   fmt.Sprintf(sleepUnit, "web"),
		"api.unit":   fmt.Sprintf(sleepUnit, "api"),
		"crash.unit": crashUnit,
	})
	t.Run("start", func(t *testing.T) {
		out, _ := d.expect(0, "start", "web")
		if out != "web.unit: started\n" {
			t.Errorf("start printed %q", out)
		}
	})
	t.Run("restart a group", func(t *testing.T) { testRestartGroup(t, d) })
	t.Run("status of a crashed unit", func(t *testing.T) { testCrashedStatus(t, d) })
	t.Run("exit codes", func(t *testing.T) { testExitCodes(t, d) })
	t.Run("events", func(t *testing.T) { testEvents(t, d) })
	t.Run("kill and reset-failed", func(t *testing.T) {
		if out, _ := d.expect(0, "kill", "-s", "USR1", "--kill-whom", "main", "api"); out != "api.unit: sent SIGUSR1\n" {
			t.Errorf("kill printed %q", out)
		}
		deadline := time.Now().Add(15 * time.Second)
		for d.status("api")[0]["last_exit"] != "killed by SIGUSR1" {
			if time.Now().After(deadline) {
				t.Fatalf("api.unit after SIGUSR1: %v", d.status("api")[0])
			}
		}
		if out, _ := d.expect(0, "reset-failed", "crash"); out != "crash.unit: reset\n" {
			t.Errorf("reset-failed printed %q", out)
		}
		if out, _ := d.expect(0, "start", "--no-block", "api"); out != "api.unit: queued\n" {
			t.Errorf("start --no-block printed %q", out)
		}
	})
	t.Run("reload", func(t *testing.T) {
		os.WriteFile(filepath.Join(d.dir, "units", "new.unit"), []byte(fmt.Sprintf(sleepUnit, "new")), 0o644)
		if out, _ := d.expect(0, "reload"); out != "new.unit: added\n" {
			t.Errorf("reload printed %q", out)
		}
	})
	t.Run("stop all", func(t *testing.T) {
		d.expect(0, "stop", "all")
		out, _ := d.expect(0, "list", "--state", "active")
		if strings.Contains(out, ".unit") {
			t.Errorf("after stop all, active units remain:\n%s", out)
		}
	})
}

// unitJSON decodes 'status -o json'.
func (d *daemon) status(args ...string) []map[string]any {
	d.t.Helper()
	out, errOut, _ := d.svunit(append([]string{"-o", "json", "status"}, args...)...)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		d.t.Fatalf("status -o json: %v\n%s%s", err, out, errOut)
	}
	return v
}

func testRestartGroup(t *testing.T, d *daemon) {
	d.expect(0, "start", "@backend")
	before := d.status("@backend")
	out, _ := d.expect(0, "restart", "@backend")
	if out != "api.unit: restarted\nweb.unit: restarted\n" {
		t.Errorf("restart @backend printed %q", out)
	}
	after := d.status("@backend")
	if len(before) != 2 || len(after) != 2 {
		t.Fatalf("@backend has %d then %d units, want 2", len(before), len(after))
	}
	for i := range after {
		if after[i]["state"] != "RUNNING" || after[i]["pid"] == before[i]["pid"] {
			t.Errorf("%v after restart: state %v, pid %v (was %v)", after[i]["unit"], after[i]["state"], after[i]["pid"], before[i]["pid"])
		}
	}
}

func testCrashedStatus(t *testing.T, d *daemon) {
	d.expect(0, "start", "crash")
	var s map[string]any
	deadline := time.Now().Add(15 * time.Second)
	for s = d.status("crash")[0]; s["active_state"] != "failed"; s = d.status("crash")[0] {
		if time.Now().After(deadline) {
			t.Fatalf("crash.unit never failed: %v", s)
		}
	}
	if s["last_exit"] != "exited with status 3" || s["state"] != "EXITED" {
		t.Errorf("crashed unit's JSON status: %v", s)
	}
	out, _ := d.expect(3, "status", "crash")
	for _, want := range []string{"× crash.unit", "Active: failed", "State: EXITED", "Last exit: exited with status 3", "boom"} {
		if !strings.Contains(out, want) {
			t.Errorf("status crash lacks %q:\n%s", want, out)
		}
	}
	out, _ = d.expect(3, "status")
	if !strings.Contains(out, "crash.unit") || !strings.Contains(out, "EXITED") || !strings.Contains(out, "RUNNING") {
		t.Errorf("status table:\n%s", out)
	}
}

func testExitCodes(t *testing.T, d *daemon) {
	d.expect(0, "status", "web")
	_, errOut := d.expect(4, "status", "nosuch")
	if !strings.Contains(errOut, "nosuch") {
		t.Errorf("status nosuch said %q", errOut)
	}
	d.expect(5, "start", "nosuch")
	d.expect(5, "stop", "@nogroup")
	d.expect(2, "start")
	d.expect(2, "kill", "-s", "NOPE", "web")
	_, errOut, code := runSvunit(t, d.bin, "--bus", filepath.Join(d.dir, "elsewhere"), "status")
	if code != 5 || !strings.Contains(errOut, filepath.Join(d.dir, "elsewhere")) || !strings.Contains(errOut, "svunit daemon") {
		t.Errorf("with no daemon: exit %d, %q", code, errOut)
	}
}

// testEvents watches 'svunit events' report a restart.
func testEvents(t *testing.T, d *daemon) {
	cmd := exec.Command(d.bin, "--bus", d.socket, "events", "web*")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	if line, err := bufio.NewReader(stderr).ReadString('\n'); err != nil || !strings.HasPrefix(line, "Watching") {
		t.Fatalf("events did not start: %q, %v", line, err)
	}
	d.expect(0, "restart", "web", "api")
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen []string
	deadline := time.After(15 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("events ended early after %q", seen)
			}
			if strings.Contains(l, "api.unit") {
				t.Errorf("events web* printed an api.unit event: %s", l)
			}
			seen = append(seen, l)
			if strings.Contains(l, "web.unit job") && strings.HasSuffix(l, " done") {
				if !strings.Contains(strings.Join(seen, "\n"), "web.unit SupervisorState=RUNNING") {
					t.Errorf("events lacks the RUNNING change:\n%s", strings.Join(seen, "\n"))
				}
				return
			}
		case <-deadline:
			t.Fatalf("no job-done event; saw:\n%s", strings.Join(seen, "\n"))
		}
	}
}

// TestLogsOverBus reads a unit's output through the daemon: the last lines,
// and the live stream that 'svunit logs -f' uses when the files are not
// readable.
func TestLogsOverBus(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"talk.unit": "[Service]\nExecStart=/bin/sh -c 'echo one; echo two; exec sleep 1000'\nStartSecs=0\n",
	})
	d.expect(0, "start", "talk")
	g := &globals{bus: d.socket, output: "text"}
	c, err := g.connect()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(c.followLog(ctx, "talk", "stdout", 10, pw)) }()
	sc := bufio.NewScanner(pr)
	var got []string
	for len(got) < 2 && sc.Scan() {
		got = append(got, sc.Text())
	}
	if strings.Join(got, ",") != "one,two" {
		t.Fatalf("followed %q (%v)", got, sc.Err())
	}
	cancel()
	lines, err := c.tailLog(context.Background(), "talk", "stdout", 1)
	if err != nil || strings.Join(lines, ",") != "two" {
		t.Errorf("tailLog = %q, %v", lines, err)
	}
}
