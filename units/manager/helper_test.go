//go:build linux

package manager

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"

	"svunit.dev/svunit/units"
)

// The test binary is also the supervised child: with SVUNIT_TEST_CHILD set
// it runs the behaviour named there instead of the tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv("SVUNIT_TEST_CHILD"); mode != "" {
		runChild(mode)
		return
	}
	if os.Getenv("SVUNIT_TEST_INNER") == "failed-switch" {
		os.Exit(failedSwitchInner())
	}
	os.Exit(m.Run())
}

// runChild implements the child behaviours:
//
//	sleep           run until a signal ends it
//	exit:N          exit with status N at once
//	ignore-term[:F] ignore SIGTERM (then write F) and run until SIGKILL
//	signal:N        kill itself with signal N
//	term-exit:N     exit with status N on SIGTERM
//	grandchild:F    start a "sleep" grandchild, write its pid to F, run
//	setsid:F        the same, with the grandchild in a new session
//	daemonize:F     start a setsid grandchild, write its pid to F, exit 0
//	term-linger:F   write F.ready; on SIGTERM take 0.2s to clean up, write F, exit 0
//	lingering:F     start a term-linger:F grandchild (its pid in F.pid), run
//	stubborn-child:F start an ignore-term:F grandchild (its pid in F.pid), run
//	notify          send STATUS=, then READY=1, then run
//	mainpid:F       start a grandchild, write its pid to F, send MAINPID= for it and READY=1
//	mainpid-init    send MAINPID=1 and READY=1, then run
//	whoami:F        write "uid gid groups" to F, then run
//	pwd-env:F       write the cwd and the environment to F, then run
func runChild(mode string) {
	kind, arg, _ := strings.Cut(mode, ":")
	switch kind {
	case "exit":
		n, _ := strconv.Atoi(arg)
		os.Exit(n)
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		if arg != "" {
			writeFile(arg, "ignoring")
		}
	case "signal":
		n, _ := strconv.Atoi(arg)
		signal.Reset()
		syscall.Kill(os.Getpid(), syscall.Signal(n))
	case "term-exit":
		n, _ := strconv.Atoi(arg)
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		go func() { <-c; os.Exit(n) }()
	case "term-linger":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		writeFile(arg+".ready", "ready")
		go func() {
			<-c
			time.Sleep(200 * time.Millisecond) // a program's clean-up, not synchronisation
			writeFile(arg, "cleaned up")
			os.Exit(0)
		}()
	case "lingering":
		writeFile(arg+".pid", strconv.Itoa(startGrandchildMode(false, "term-linger:"+arg)))
	case "stubborn-child":
		writeFile(arg+".pid", strconv.Itoa(startGrandchildMode(false, "ignore-term:"+arg)))
	case "grandchild", "setsid", "daemonize":
		pid := startGrandchild(kind != "grandchild")
		writeFile(arg, strconv.Itoa(pid))
		if kind == "daemonize" {
			os.Exit(0)
		}
	case "mainpid":
		pid := startGrandchild(false)
		writeFile(arg, strconv.Itoa(pid))
		daemon.SdNotify(false, fmt.Sprintf("MAINPID=%d\nREADY=1", pid))
		time.Sleep(time.Hour)
	case "mainpid-init":
		daemon.SdNotify(false, "MAINPID=1\nREADY=1")
	case "notify":
		daemon.SdNotify(false, "STATUS=warming up")
		daemon.SdNotify(false, "READY=1\nSTATUS=serving")
	case "whoami":
		gs, _ := syscall.Getgroups()
		writeFile(arg, fmt.Sprintf("%d %d %v", os.Getuid(), os.Getgid(), gs))
	case "pwd-env":
		wd, _ := os.Getwd()
		writeFile(arg, wd+"\n"+strings.Join(os.Environ(), "\n"))
	}
	time.Sleep(time.Hour)
	os.Exit(0)
}

func startGrandchild(setsid bool) int { return startGrandchildMode(setsid, "sleep") }

// startGrandchildMode starts the test binary as a child in mode.
func startGrandchildMode(setsid bool, mode string) int {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SVUNIT_TEST_CHILD=") {
			env = append(env, kv)
		}
	}
	env = append(env, "SVUNIT_TEST_CHILD="+mode)
	pid, err := syscall.ForkExec(os.Args[0], []string{os.Args[0]}, &syscall.ProcAttr{
		Env: env, Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Setsid: setsid},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	return pid
}

// writeFile writes atomically, so a reader never sees half a file.
func writeFile(name, s string) {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
		os.Exit(4)
	}
	os.Rename(tmp, name)
}

// testUnit returns a unit running the test binary in child mode, with
// settings suited to fast tests; mods adjust the [Service] section.
func testUnit(name, mode string, mods ...func(*units.Service)) *units.Unit {
	u := &units.Unit{Name: name + ".unit", Path: "/test/" + name + ".unit"}
	u.Service = units.Service{
		Type:           units.Simple,
		ExecStart:      []units.Command{{Argv: []string{os.Args[0]}}},
		Environment:    []string{"SVUNIT_TEST_CHILD=" + mode, "GORACE=atexit_sleep_ms=0"}, // a race-built child would wait 1s at exit
		Restart:        units.RestartNo,
		TimeoutStopSec: 10 * time.Second,
		KillSignal:     syscall.SIGTERM,
		KillMode:       units.KillControlGroup,
		SendSIGKILL:    true,
		Priority:       999,
	}
	for _, f := range mods {
		f(&u.Service)
	}
	return u
}

// newManager makes a Manager over us and shuts it down when the test ends.
func newManager(t testing.TB, us ...*units.Unit) *Manager {
	t.Helper()
	return newManagerConfig(t, Config{}, us...)
}

// newManagerConfig is newManager with cfg's other settings.
func newManagerConfig(t testing.TB, cfg Config, us ...*units.Unit) *Manager {
	t.Helper()
	cfg.Units = us
	cfg.Logf = func(f string, a ...any) { t.Logf("manager: "+f, a...) }
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return m
}

// waitUnit waits until the named unit's snapshot satisfies ok, and returns
// it; it fails the test at the deadline with the last snapshot.
func waitUnit(t testing.TB, m *Manager, name string, d time.Duration, what string, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	sub := m.Subscribe()
	defer sub.Close()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		s, found := m.Unit(name)
		if !found {
			t.Fatalf("%s: no such unit", name)
		}
		if ok(s) {
			return s
		}
		select {
		case _, open := <-sub.C:
			if !open {
				t.Fatalf("subscription closed: %v", sub.Err())
			}
		case <-deadline.C:
			t.Fatalf("%s: not %s within %v; state %s (%s/%s), result %s, spawn error %q, last exit %s",
				name, what, d, s.State, s.ActiveState, s.SubState, s.Result, s.SpawnError, s.LastExit)
		}
	}
}

func waitState(t testing.TB, m *Manager, name string, want State) Snapshot {
	t.Helper()
	return waitUnit(t, m, name, 20*time.Second, want.String(), func(s Snapshot) bool { return s.State == want })
}

// wait returns the result of every job, failing at the deadline.
func waitJobs(t testing.TB, jobs []*Job, err error) []JobResult {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var rs []JobResult
	for _, j := range jobs {
		select {
		case <-j.Done:
			rs = append(rs, j.Result)
		case <-time.After(30 * time.Second):
			t.Fatalf("job %d (%s %s) did not finish", j.ID, j.Type, j.Unit)
		}
	}
	return rs
}

// waitFile waits for a file a child writes and returns its content.
func waitFile(t testing.TB, name string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(name); err == nil {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not written", name)
		}
		waitABit()
	}
}

// waitContent waits until a file holds exactly want (output copied by the
// journal arrives some time after the child wrote it).
func waitContent(t testing.TB, name, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(name)
		if string(b) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %q, want %q", name, b, want)
		}
		waitABit()
	}
}

// waitGone waits until pid no longer exists (or is a zombie nobody reaps
// yet, which the caller's later checks catch).
func waitGone(t testing.TB, pid int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still alive", pid)
		}
		waitABit()
	}
}

func alive(pid int) bool {
	st, ok := readStat(pid)
	return ok && st.state != 'Z'
}

// waitABit yields between polls of state the kernel owns (a file a child
// writes, /proc): there is no event to wait on for those.
func waitABit() { time.Sleep(2 * time.Millisecond) }

func tempFile(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }

// waitFor returns a function that waits for the jobs a request returned,
// so that waitFor(t)(m.Start("web")) reads as one step.
func waitFor(t testing.TB) func([]*Job, error) []JobResult {
	return func(jobs []*Job, err error) []JobResult {
		t.Helper()
		return waitJobs(t, jobs, err)
	}
}

// cmdUnit returns a unit running argv (a system program) instead of the
// test binary, for tests that spawn many processes.
func cmdUnit(name string, argv []string, mods ...func(*units.Service)) *units.Unit {
	u := testUnit(name, "")
	u.Service.ExecStart = []units.Command{{Argv: argv}}
	u.Service.Environment = nil
	for _, f := range mods {
		f(&u.Service)
	}
	return u
}

// next returns the next event of sub, failing the test if none comes
// within 20 s or the subscription ends.
func next(t testing.TB, sub *Subscription) Event {
	t.Helper()
	select {
	case e, ok := <-sub.C:
		if !ok {
			t.Fatalf("subscription closed: %v", sub.Err())
		}
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20s")
	}
	return Event{}
}
