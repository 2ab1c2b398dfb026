//go:build linux

package manager

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// TestRestartPolicies runs a child that exits (or dies) after RUNNING under
// each Restart= policy and checks whether a restart is scheduled. The delay
// is an hour, so "scheduled" is a state (EXITED, auto-restart), not a race.
func TestRestartPolicies(t *testing.T) {
	exit0, exit3, kill9, term := "exit:0", "exit:3", "signal:9", "signal:15"
	cases := []struct {
		policy  units.RestartPolicy
		mode    string
		mod     func(*units.Service)
		restart bool
		result  Result
	}{
		{units.RestartNo, exit3, nil, false, ResultExitCode},
		{units.RestartOnFailure, exit0, nil, false, ResultSuccess},
		{units.RestartOnFailure, exit3, nil, true, ResultExitCode},
		{units.RestartOnFailure, kill9, nil, true, ResultSignal},
		{units.RestartOnFailure, term, nil, false, ResultSuccess}, // SIGTERM is a clean exit
		{units.RestartOnFailure, exit3, func(s *units.Service) { s.SuccessExitStatus.Codes = []int{3} }, false, ResultSuccess},
		{units.RestartAlways, exit0, nil, true, ResultSuccess},
		{units.RestartOnSuccess, exit0, nil, true, ResultSuccess},
		{units.RestartOnSuccess, exit3, nil, false, ResultExitCode},
		{units.RestartOnAbnormal, exit3, nil, false, ResultExitCode},
		{units.RestartOnAbnormal, kill9, nil, true, ResultSignal},
		{units.RestartOnAbort, kill9, nil, true, ResultSignal},
		{units.RestartAlways, exit3, func(s *units.Service) { s.RestartPreventExitStatus.Codes = []int{3} }, false, ResultExitCode},
		{units.RestartNo, exit3, func(s *units.Service) { s.RestartForceExitStatus.Codes = []int{3} }, true, ResultExitCode},
		{units.RestartNo, kill9, func(s *units.Service) { s.RestartForceExitStatus.Signals = []syscall.Signal{syscall.SIGKILL} }, true, ResultSignal},
	}
	var us []*units.Unit
	for i, c := range cases {
		us = append(us, testUnit(fmt.Sprintf("p%d", i), c.mode, func(s *units.Service) {
			s.Restart, s.RestartSec = c.policy, time.Hour
			if c.mod != nil {
				c.mod(s)
			}
		}))
	}
	m := newManager(t, us...)
	for i, c := range cases {
		name := fmt.Sprintf("p%d", i)
		waitFor(t)(m.Start(name))
		snap := waitState(t, m, name, Exited)
		pending := snap.SubState == "auto-restart"
		if pending != c.restart || snap.Result != c.result {
			t.Errorf("Restart=%s, child %s: restart scheduled %v, result %s; want %v, %s (exit %s)",
				c.policy, c.mode, pending, snap.Result, c.restart, c.result, snap.LastExit)
		}
		if !c.restart && snap.ActiveState != map[bool]string{true: "inactive", false: "failed"}[c.result == ResultSuccess] {
			t.Errorf("Restart=%s, child %s: ActiveState %s", c.policy, c.mode, snap.ActiveState)
		}
	}
}

// TestRestartAfterCrash checks that a crash after RUNNING is restarted,
// counted, and that the restarted process is a new one.
func TestRestartAfterCrash(t *testing.T) {
	m := newManager(t, testUnit("web", "sleep", func(s *units.Service) { s.Restart = units.RestartOnFailure }))
	waitFor(t)(m.Start("web"))
	first := waitState(t, m, "web", Running).MainPID
	if err := m.Kill("web", "main", syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	snap := waitUnit(t, m, "web", 20*time.Second, "restarted", func(s Snapshot) bool {
		return s.State == Running && s.MainPID != first && s.MainPID != 0
	})
	if snap.NRestarts != 1 || snap.LastExit.Signal != syscall.SIGKILL || snap.LastExit.PID != first {
		t.Errorf("after restart: NRestarts %d, last exit %+v", snap.NRestarts, snap.LastExit)
	}
}

func TestRestartDelayGrows(t *testing.T) {
	svc := &units.Service{RestartSec: 100 * time.Millisecond, RestartSteps: 4, RestartMaxDelaySec: 1600 * time.Millisecond}
	want := []time.Duration{100, 200, 400, 800, 1600, 1600}
	for step, w := range want {
		got := restartDelay(svc, step)
		if d := got - w*time.Millisecond; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("step %d: delay %v, want %v", step, got, w*time.Millisecond)
		}
	}
	zero := &units.Service{RestartSteps: 10, RestartMaxDelaySec: 30 * time.Second}
	if restartDelay(zero, 0) != 0 || restartDelay(zero, 1) < 100*time.Millisecond || restartDelay(zero, 10) != 30*time.Second {
		t.Errorf("RestartSec=0: delays %v %v %v", restartDelay(zero, 0), restartDelay(zero, 1), restartDelay(zero, 10))
	}
	fixed := &units.Service{RestartSec: time.Second}
	if restartDelay(fixed, 7) != time.Second {
		t.Errorf("RestartSteps=0: delay %v, want RestartSec", restartDelay(fixed, 7))
	}
}

// TestStartLimit refuses the start that exceeds StartLimitBurst.
func TestStartLimit(t *testing.T) {
	m := newManager(t, testUnit("burst", "exit:0", func(s *units.Service) {
		s.Restart, s.RestartSec = units.RestartAlways, 0
		s.StartLimitBurst, s.StartLimitInterval = 3, time.Hour
	}))
	jobs, err := m.Start("burst")
	waitJobs(t, jobs, err)
	snap := waitState(t, m, "burst", Fatal)
	if snap.Result != ResultStartLimit || snap.NRestarts != 2 {
		t.Errorf("FATAL with result %s after %d restarts; want start-limit-hit after 2", snap.Result, snap.NRestarts)
	}
	if err := m.ResetFailed("burst"); err != nil {
		t.Fatal(err)
	}
	waitState(t, m, "burst", Stopped)
}

// TestBackoffDelays: the n-th retry after an early exit waits at least n
// steps of max(StartSecs, RestartSec), as Supervisor's 1s, 2s, 3s.
func TestBackoffDelays(t *testing.T) {
	const step = 400 * time.Millisecond // sh must exit within it, also under load
	m := newManager(t, cmdUnit("early", []string{"/bin/sh", "-c", "exit 3"}, func(s *units.Service) {
		s.StartSecs, s.RestartSec, s.StartRetries = step, time.Millisecond, 2
	}))
	sub := m.Subscribe()
	defer sub.Close()
	waitFor(t)(m.Start("early"))
	var backoffAt time.Time
	n := 0
	deadline := time.After(20 * time.Second)
	for n < 2 {
		var e Event
		select {
		case e = <-sub.C:
		case <-deadline:
			t.Fatalf("saw %d retries", n)
		}
		if e.Type != UnitChanged || e.Old.State == e.New.State {
			continue
		}
		switch e.New.State {
		case Backoff:
			backoffAt = e.New.Timestamps.StateChange.Wall
		case Starting:
			if backoffAt.IsZero() {
				continue
			}
			n++
			if gap := e.New.Timestamps.StateChange.Wall.Sub(backoffAt); gap < time.Duration(n)*step {
				t.Errorf("retry %d after %v, want at least %v", n, gap, time.Duration(n)*step)
			}
		}
	}
}
