package bus

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// patience bounds every wait on a condition. It is generous because CI runs
// the whole suite with -race on two loaded cores; a passing test waits only
// as long as its condition takes.
const patience = 30 * time.Second

// helperEnv makes the test binary serve a bus at the path it holds instead
// of running tests (see busProcess).
const helperEnv = "SVUNIT_BUS_TEST_SERVE"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		s, err := Listen(Config{Path: path})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		s.Serve()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// busProcess returns a command that runs a bus at path in a process of its
// own, the test binary re-executed, so that the bus's own memory and
// wake-ups can be measured.
func busProcess(path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

// testBus starts a bus in a temporary directory and stops it when the test
// ends, checking that every connection goroutine is gone.
func testBus(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Path == "" {
		dir, err := os.MkdirTemp("", "svbus")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		cfg.Path = filepath.Join(dir, "bus")
	}
	if cfg.Logf == nil {
		var mu sync.Mutex
		done := false
		t.Cleanup(func() { mu.Lock(); done = true; mu.Unlock() })
		cfg.Logf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			if !done {
				t.Logf(format, args...)
			}
		}
	}
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

// dial connects a godbus client and closes it when the test ends.
func dial(t testing.TB, s *Server) *dbus.Conn {
	t.Helper()
	c, err := dbus.Connect(s.Address())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond until it holds, failing the test after patience.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", patience, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// openFDs counts this process's open descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// checkFDs fails the test if the process's descriptor count has not
// returned to what it was when checkFDs was called, once the test's own
// cleanups have run.
func checkFDs(t *testing.T) {
	before := openFDs(t)
	t.Cleanup(func() {
		deadline := time.Now().Add(patience)
		for openFDs(t) != before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := openFDs(t); n != before {
			t.Errorf("open descriptors: %d before, %d after", before, n)
		}
	})
}
