//go:build linux

package manager

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// recorder collects the states a unit goes through, from the events.
type recorder struct {
	sub  *Subscription
	unit string
}

func record(m *Manager, unit string) *recorder { return &recorder{sub: m.Subscribe(), unit: unit} }

// until reads events until the unit reaches state last, and returns every
// state it entered on the way.
func (r *recorder) until(t *testing.T, last State) []State {
	t.Helper()
	var got []State
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e, ok := <-r.sub.C:
			if !ok {
				t.Fatalf("subscription closed: %v", r.sub.Err())
			}
			if e.Type != UnitChanged || e.Unit != r.unit || e.Old.State == e.New.State {
				continue
			}
			got = append(got, e.New.State)
			if e.New.State == last {
				return got
			}
		case <-deadline:
			t.Fatalf("%s never reached %s; states so far %v", r.unit, last, got)
		}
	}
}

func expectStates(t *testing.T, got []State, want ...State) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("states = %v, want %v", got, want)
	}
}

// TestTransitions drives real processes through every edge of the state
// table and checks the path each takes.
func TestTransitions(t *testing.T) {
	slow := func(s *units.Service) { s.StartSecs = 300 * time.Millisecond }
	m := newManager(t,
		testUnit("up", "sleep", slow),
		cmdUnit("crash", []string{"/bin/sh", "-c", "exit 3"}, func(s *units.Service) {
			s.StartSecs, s.StartRetries, s.RestartSec = 500*time.Millisecond, 2, time.Millisecond // room for sh to exit under load
		}),
		testUnit("flaky", "sleep", func(s *units.Service) { s.Restart, s.RestartSec = units.RestartAlways, time.Hour }),
		testUnit("backoff", "exit:1", func(s *units.Service) { s.StartSecs, s.StartRetries, s.RestartSec = time.Minute, 5, time.Hour }),
	)

	t.Run("start-stop", func(t *testing.T) {
		r := record(m, "up.unit")
		waitFor(t)(m.Start("up"))
		waitFor(t)(m.Stop("up"))
		expectStates(t, r.until(t, Stopped), Starting, Running, Stopping, Stopped)
	})
	t.Run("stop-while-starting", func(t *testing.T) {
		r := record(m, "up.unit")
		jobs, err := m.Start("up")
		waitState(t, m, "up", Starting)
		stops, err2 := m.Stop("up")
		if rs := waitJobs(t, jobs, err); rs[0] != JobCanceled {
			t.Errorf("start job = %s, want canceled", rs[0])
		}
		if rs := waitJobs(t, stops, err2); rs[0] != JobDone {
			t.Errorf("stop job = %s, want done", rs[0])
		}
		expectStates(t, r.until(t, Stopped), Starting, Stopping, Stopped)
	})
	t.Run("backoff-fatal-start-again", func(t *testing.T) {
		r := record(m, "crash.unit")
		jobs, err := m.Start("crash")
		if rs := waitJobs(t, jobs, err); rs[0] != JobFailed {
			t.Errorf("start job = %s, want failed", rs[0])
		}
		expectStates(t, r.until(t, Fatal), Starting, Backoff, Starting, Backoff, Starting, Fatal)
		snap, _ := m.Unit("crash")
		if snap.ActiveState != "failed" || snap.Result != ResultExitCode || snap.LastExit.Status != 3 {
			t.Errorf("FATAL snapshot: %s/%s result %s exit %s", snap.ActiveState, snap.SubState, snap.Result, snap.LastExit)
		}
		jobs, err = m.Start("crash") // starting again clears FATAL
		waitJobs(t, jobs, err)
		expectStates(t, r.until(t, Fatal), Starting, Backoff, Starting, Backoff, Starting, Fatal)
		if err := m.ResetFailed("crash"); err != nil {
			t.Fatal(err)
		}
		expectStates(t, r.until(t, Stopped), Stopped)
		if snap := waitState(t, m, "crash", Stopped); snap.ActiveState != "inactive" {
			t.Errorf("after reset-failed: ActiveState %s", snap.ActiveState)
		}
	})
	t.Run("exited-restart-stop", func(t *testing.T) {
		r := record(m, "flaky.unit")
		waitFor(t)(m.Start("flaky"))
		snap := waitState(t, m, "flaky", Running)
		if err := m.Kill("flaky", "main", syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		snap = waitState(t, m, "flaky", Exited)
		if snap.SubState != "auto-restart" || snap.ActiveState != "activating" {
			t.Errorf("waiting to restart: %s/%s", snap.ActiveState, snap.SubState)
		}
		waitFor(t)(m.Stop("flaky")) // cancels the pending restart
		expectStates(t, r.until(t, Stopped), Starting, Running, Exited, Stopped)
		if snap, _ := m.Unit("flaky"); snap.NRestarts != 0 {
			t.Errorf("NRestarts = %d, want 0", snap.NRestarts)
		}
	})
	t.Run("backoff-stop", func(t *testing.T) {
		r := record(m, "backoff.unit")
		jobs, err := m.Start("backoff")
		waitState(t, m, "backoff", Backoff)
		waitFor(t)(m.Stop("backoff"))
		if rs := waitJobs(t, jobs, err); rs[0] != JobCanceled {
			t.Errorf("start job = %s, want canceled", rs[0])
		}
		expectStates(t, r.until(t, Stopped), Starting, Backoff, Stopped)
	})
}

// TestTransitionTable checks the table itself: what Supervisor allows, and
// a few things it must refuse.
func TestTransitionTable(t *testing.T) {
	allowed := [][2]State{
		{Stopped, Starting}, {Starting, Running}, {Starting, Backoff}, {Starting, Stopping},
		{Running, Stopping}, {Running, Exited}, {Backoff, Starting}, {Backoff, Fatal},
		{Backoff, Stopped}, {Stopping, Stopped}, {Exited, Starting}, {Fatal, Starting},
	}
	for _, tr := range allowed {
		if !CanMove(tr[0], tr[1]) {
			t.Errorf("%s → %s refused", tr[0], tr[1])
		}
	}
	refused := [][2]State{{Stopped, Running}, {Stopping, Running}, {Running, Starting}, {Fatal, Running}, {Stopped, Stopping}}
	for _, tr := range refused {
		if CanMove(tr[0], tr[1]) {
			t.Errorf("%s → %s allowed", tr[0], tr[1])
		}
	}
}
