package api

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"svunit.dev/svunit/bus"
	"svunit.dev/svunit/units/manager"
)

// helperEnv switches the test binary into a child program for units.
const helperEnv = "SVUNIT_API_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "sleep":
		select {} // until the manager's stop signal
	case "crash":
		fmt.Println("crash: about to exit 3")
		os.Exit(3)
	case "exit0":
		os.Exit(0)
	case "print":
		for i := 1; i <= 3; i++ {
			fmt.Printf("line %d\n", i)
		}
		select {}
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%s\n", helperEnv, os.Getenv(helperEnv))
		os.Exit(100)
	}
}

// A harness is a real bus, a real manager with helper-child units, and the
// API serving one on the other.
type harness struct {
	t      testing.TB
	dir    string
	bus    *bus.Server
	m      *manager.Manager
	api    *API
	addr   string // the bus's D-Bus address
	socket string // the bus's socket path
}

// helperUnit returns a unit file running the test binary in mode.
func helperUnit(mode, extra string) string {
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("[Unit]\nDescription=helper %s\n%s\n[Service]\nExecStart=%s\nEnvironment=%s=%s\nStartSecs=0\nTimeoutStopSec=5s\n",
		mode, extraUnit(extra), exe, helperEnv, mode) + extraService(extra) + extraInstall(extra)
}

func extraInstall(extra string) string {
	if l := pickLines(extra, "Install:"); l != "" {
		return "[Install]\n" + l
	}
	return ""
}

// extra holds "Unit:", "Service:" and "Install:" prefixed lines for those
// sections.
func extraUnit(extra string) string    { return pickLines(extra, "Unit:") }
func extraService(extra string) string { return pickLines(extra, "Service:") }

func pickLines(extra, prefix string) string {
	var b strings.Builder
	for _, l := range strings.Split(extra, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), prefix); ok {
			b.WriteString(strings.TrimSpace(rest) + "\n")
		}
	}
	return b.String()
}

// newHarness writes files (name → content) to a unit directory and starts
// everything; Cleanup stops it all, children included.
func newHarness(t testing.TB, files map[string]string) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir()}
	units := filepath.Join(h.dir, "units")
	if err := os.Mkdir(units, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(units, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h.socket = filepath.Join(h.dir, "bus")
	srv, err := bus.Listen(bus.Config{Path: h.socket, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	h.bus, h.addr = srv, srv.Address()
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	m, err := manager.New(manager.Config{UnitDir: units, LogDir: filepath.Join(h.dir, "log"), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Errorf("manager shutdown: %v", err)
		}
	})
	a, err := New(Config{Manager: m, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	h.api = a
	t.Cleanup(func() { a.Close() })
	if _, err := a.Dial(h.addr, SystemdName, SvunitName); err != nil {
		t.Fatal(err)
	}
	return h
}

// waitFor waits until cond holds, re-checking on every manager event, and
// fails the test after a deadline.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	sub := h.m.Subscribe()
	defer sub.Close()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-sub.C:
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s; units: %s", what, h.states())
		}
	}
}

// waitActive waits until unit's ActiveState is state.
func (h *harness) waitActive(unit, state string) {
	h.t.Helper()
	h.waitFor(unit+" to be "+state, func() bool {
		s, ok := h.m.Unit(unit)
		return ok && s.ActiveState == state
	})
}

// run runs a client program and returns its stdout; it fails the test on a
// non-zero exit unless wantErr.
func (h *harness) run(wantErr bool, name string, args ...string) (string, string) {
	h.t.Helper()
	return h.runEnv(nil, wantErr, name, args...)
}

// runEnv is run with extra environment variables.
func (h *harness) runEnv(env []string, wantErr bool, name string, args ...string) (string, string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if (err != nil) != wantErr {
		h.t.Fatalf("%s %s: err=%v, want error %v\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), err, wantErr, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// states describes every unit's state, for failure messages.
func (h *harness) states() string {
	var b strings.Builder
	for _, s := range h.m.Units() {
		fmt.Fprintf(&b, "%s %s/%s %s (%s); ", s.Unit.Name, s.ActiveState, s.SubState, s.State, s.SpawnError)
	}
	return b.String()
}
