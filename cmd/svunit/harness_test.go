package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The shared set-up of this package's tests: the svunit binary, built once
// per test process, and real 'svunit daemon' processes on temporary units
// and buses, driven through the binary as users drive them.

// patience bounds every wait on a condition. It is generous because CI runs
// the whole suite with -race on two loaded cores; a passing test waits only
// as long as its condition takes.
const patience = 30 * time.Second

// built is the svunit binary shared by the tests of this process.
var built struct {
	once sync.Once
	dir  string // removed by TestMain
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildSvunit returns the svunit binary, built from this package once per
// test process, so that the verbs are tested as users run them: real argv,
// real exit status, real output. Tests must not change the file.
func buildSvunit(tb testing.TB) string {
	tb.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "svunit-test-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "svunit")
		out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", built.bin, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("building svunit: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		tb.Fatal(built.err)
	}
	return built.bin
}

// runSvunit runs the binary and returns stdout, stderr and the exit status.
func runSvunit(tb testing.TB, bin string, args ...string) (string, string, int) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		tb.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// waitFor polls cond until it holds, failing the test after patience.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	if !poll(cond) {
		tb.Fatalf("timed out after %v waiting for %s", patience, what)
	}
}

// poll calls cond until it holds and reports whether it did within
// patience.
func poll(cond func() bool) bool {
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// waitExit waits for cmd, started by the test, to exit and returns Wait's
// error; after patience it kills cmd and fails the test.
func waitExit(tb testing.TB, cmd *exec.Cmd, what string) error {
	tb.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		return err
	case <-time.After(patience):
		cmd.Process.Kill()
		<-exited
		tb.Fatalf("%s did not exit within %v", what, patience)
		return nil
	}
}

// lines sends each line read from r on the channel it returns, and closes
// it at the end of r. Its goroutine blocks while a line waits unread.
func lines(r io.Reader) <-chan string {
	ch := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
		close(ch)
	}()
	return ch
}

// startLines starts cmd and returns the lines of its stdout, as lines
// does; its stderr goes to the test's unless already set.
func startLines(tb testing.TB, cmd *exec.Cmd) <-chan string {
	tb.Helper()
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("%s: %v", cmd.Path, err)
	}
	return lines(out)
}

// nextLine returns the next line from ch, which is what prints, failing
// the test if none comes within patience.
func nextLine(tb testing.TB, ch <-chan string, what string) string {
	tb.Helper()
	select {
	case l, ok := <-ch:
		if !ok {
			tb.Fatalf("%s ended", what)
		}
		return l
	case <-time.After(patience):
		tb.Fatalf("%s printed no line within %v", what, patience)
	}
	return ""
}

// expectLine fails the test unless the next lines from ch, which is what
// prints, are want, each within patience.
func expectLine(tb testing.TB, ch <-chan string, what string, want ...string) {
	tb.Helper()
	for _, w := range want {
		if got := nextLine(tb, ch, what+" (expecting "+strconv.Quote(w)+")"); got != w {
			tb.Fatalf("%s printed %q, want %q", what, got, w)
		}
	}
}

func writeTestFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// A daemonProc is a running 'svunit daemon' process.
type daemonProc struct {
	cmd    *exec.Cmd
	exited chan error // receives Wait's result once

	stopOnce sync.Once
	stopErr  error
}

// startDaemonProc starts cmd, an 'svunit daemon' command, and waits for its
// ready line. When the test ends the daemon is stopped as by stop, and the
// test fails unless it exited 0.
func startDaemonProc(tb testing.TB, cmd *exec.Cmd) *daemonProc {
	tb.Helper()
	out := startLines(tb, cmd)
	p := &daemonProc{cmd: cmd, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		if err := p.stop(); err != nil {
			tb.Error(err)
		}
	})
	if ready := nextLine(tb, out, "svunit daemon"); !strings.Contains(ready, "manager ready") {
		tb.Fatalf("%s did not get ready: %q", strings.Join(cmd.Args, " "), ready)
	}
	go func() {
		for range out {
		}
	}()
	return p
}

// stop sends the daemon SIGTERM and waits until it, and so every child it
// stops, has exited; it kills the daemon after patience. It reports how the
// daemon ended unless that was with status 0. Only the first call acts.
func (p *daemonProc) stop() error {
	p.stopOnce.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.exited:
			if err != nil {
				p.stopErr = fmt.Errorf("svunit daemon exited with %v after SIGTERM, want status 0", err)
			}
		case <-time.After(patience):
			p.cmd.Process.Kill()
			<-p.exited
			p.stopErr = fmt.Errorf("svunit daemon did not exit within %v of SIGTERM", patience)
		}
	})
	return p.stopErr
}

// A daemon is a real 'svunit daemon' process serving a temporary unit
// directory on a temporary bus, with the test that its helpers fail.
type daemon struct {
	t                testing.TB
	bin, dir, socket string
	proc             *daemonProc
}

const sleepUnit = "[Unit]\nDescription=sleeper %s\nGroups=backend\n[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\nTimeoutStopSec=5s\n"

// crashUnit prints a line, then exits 3 right after starting.
const crashUnit = "[Service]\nExecStart=/bin/sh -c 'echo boom; exit 3'\nStartSecs=0\nRestart=no\n"

// startDaemon runs the daemon on files (unit file name to content) and
// waits for its ready line; Cleanup sends SIGTERM and waits for it (and so
// for its children) to exit.
func startDaemon(tb testing.TB, bin string, files map[string]string) *daemon {
	tb.Helper()
	return startDaemonEnv(tb, bin, files, nil)
}

// startDaemonEnv is startDaemon with env added to the daemon's environment
// and extra arguments after the directories'.
func startDaemonEnv(tb testing.TB, bin string, files map[string]string, env []string, extra ...string) *daemon {
	tb.Helper()
	d := &daemon{t: tb, bin: bin, dir: tb.TempDir()}
	units := filepath.Join(d.dir, "units")
	if err := os.Mkdir(units, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, content := range files {
		writeTestFile(tb, filepath.Join(units, name), content)
	}
	d.socket = filepath.Join(d.dir, "bus")
	args := append([]string{"--units", units, "--bus", d.socket, "--log-dir", filepath.Join(d.dir, "log")}, extra...)
	cmd := exec.Command(bin, append([]string{"daemon"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	d.proc = startDaemonProc(tb, cmd)
	return d
}

// with returns d with its helpers failing t, for subtests: a test may only
// be stopped from its own goroutine.
func (d *daemon) with(t testing.TB) *daemon {
	c := *d
	c.t = t
	return &c
}

// svunit runs a client verb against the daemon.
func (d *daemon) svunit(args ...string) (string, string, int) {
	d.t.Helper()
	return runSvunit(d.t, d.bin, append([]string{"--bus", d.socket}, args...)...)
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

// status decodes 'status -o json ARGS…'.
func (d *daemon) status(args ...string) []map[string]any {
	d.t.Helper()
	out, errOut, _ := d.svunit(append([]string{"-o", "json", "status"}, args...)...)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		d.t.Fatalf("status -o json: %v\n%s%s", err, out, errOut)
	}
	return v
}

// connect opens the client the verbs use on the daemon's bus, closed when
// the test ends.
func (d *daemon) connect() *client {
	d.t.Helper()
	c, err := (&globals{bus: d.socket, output: "text"}).connect()
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(c.Close)
	return c
}
