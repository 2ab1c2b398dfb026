//go:build linux

package manager

import (
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// layeredUnits returns "first", slow to reach RUNNING (StartSecs=startSecs),
// and "second1", "second2" ordered After= it, in mode secondMode.
func layeredUnits(startSecs time.Duration, secondMode string) []*units.Unit {
	first := testUnit("first", "sleep", func(s *units.Service) { s.StartSecs = startSecs })
	us := []*units.Unit{first}
	for _, n := range []string{"second1", "second2"} {
		u := testUnit(n, secondMode)
		u.After = []string{"first.unit"}
		us = append(us, u)
	}
	return us
}

// byUnit maps each job's unit to its result (jobs must be finished).
func byUnit(jobs []*Job) map[string]JobResult {
	got := make(map[string]JobResult, len(jobs))
	for _, j := range jobs {
		got[j.Unit] = j.Result
	}
	return got
}

// startsAfter drains the events sub has buffered up to a barrier (a stop
// job on every unit, which each unit handles after whatever was posted to
// it before) and returns the units that entered STARTING.
func startsAfter(t *testing.T, m *Manager, sub *Subscription) map[string]int {
	t.Helper()
	barrier, err := m.Stop("all")
	waitJobs(t, barrier, err)
	starts := map[string]int{}
	for {
		select {
		case e, ok := <-sub.C:
			if !ok {
				t.Fatalf("subscription closed: %v", sub.Err())
			}
			if e.Type == UnitChanged && e.New.State == Starting && e.Old.State != Starting {
				starts[e.Unit]++
			}
		default:
			return starts
		}
	}
}

// TestStopCancelsPendingStarts: "stop all" while the first layer of a
// layered start is still starting cancels every start job of that request,
// the waiting ones at once, and the later layer is never started (the bug:
// the boot's start went on with worker@ after "stop all" said stopped).
func TestStopCancelsPendingStarts(t *testing.T) {
	m := newManager(t, layeredUnits(time.Minute, "sleep")...)
	starts, err := m.Start("all")
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, m, "first", Starting)
	sub := m.Subscribe()
	defer sub.Close()
	stops, err := m.Stop("all")
	waitJobs(t, stops, err)
	waitJobs(t, starts, nil)

	for u, r := range byUnit(starts) {
		if r != JobCanceled {
			t.Errorf("start job of %s: %s, want canceled", u, r)
		}
	}
	for u, r := range byUnit(stops) {
		if r != JobDone {
			t.Errorf("stop job of %s: %s, want done", u, r)
		}
	}
	if n := startsAfter(t, m, sub); len(n) != 0 {
		t.Errorf("units started after the stop: %v", n)
	}
	for _, s := range m.Units() {
		if s.State != Stopped {
			t.Errorf("%s: %s after stop all, want STOPPED", s.Unit.Name, s.State)
		}
	}
}

// TestStopOneCancelsItsPendingStart: a stop of one unit of the later layer
// cancels only that unit's start; the rest of the request goes on.
func TestStopOneCancelsItsPendingStart(t *testing.T) {
	m := newManager(t, layeredUnits(300*time.Millisecond, "sleep")...)
	starts, err := m.Start("all")
	if err != nil {
		t.Fatal(err)
	}
	stops, err := m.Stop("second1")
	waitJobs(t, stops, err)
	waitJobs(t, starts, nil)
	want := map[string]JobResult{"first.unit": JobDone, "second1.unit": JobCanceled, "second2.unit": JobDone}
	if got := byUnit(starts); len(got) != len(want) || got["first.unit"] != want["first.unit"] ||
		got["second1.unit"] != want["second1.unit"] || got["second2.unit"] != want["second2.unit"] {
		t.Errorf("start jobs %v, want %v", got, want)
	}
	if s, _ := m.Unit("second1"); s.State != Stopped || s.LastExit.PID != 0 {
		t.Errorf("second1: %s, last exit %s; want STOPPED, never spawned", s.State, s.LastExit)
	}
}

// TestStartCancelsPendingStop: a start right after "stop all" cancels the
// stop jobs still waiting for their layer, so every unit ends RUNNING
// (without it, the first unit's stop ran after the start and left it
// stopped).
func TestStartCancelsPendingStop(t *testing.T) {
	dir := t.TempDir()
	us := layeredUnits(0, "")
	for _, u := range us[1:] { // slow to stop, so that first's stop is still waiting
		u.Service.Environment[0] = "SVUNIT_TEST_CHILD=term-linger:" + dir + "/" + u.Name
	}
	m := newManager(t, us...)
	waitFor(t)(m.Start("all"))
	for _, u := range us[1:] {
		waitFile(t, dir+"/"+u.Name+".ready")
	}
	stops, err := m.Stop("all")
	if err != nil {
		t.Fatal(err)
	}
	starts, err := m.Start("all")
	waitJobs(t, starts, err)
	waitJobs(t, stops, nil)
	for u, r := range byUnit(starts) {
		if r != JobDone {
			t.Errorf("start job of %s: %s, want done", u, r)
		}
	}
	if r := byUnit(stops)["first.unit"]; r != JobCanceled {
		t.Errorf("waiting stop job of first: %s, want canceled", r)
	}
	for _, s := range m.Units() {
		if s.State != Running {
			t.Errorf("%s: %s after stop all then start all, want RUNNING", s.Unit.Name, s.State)
		}
	}
}

// TestRestartDuringPendingStart: a restart of a unit whose start waits for
// an earlier layer runs at once; the waiting start is not canceled by it
// and finds the unit up; everything ends RUNNING.
func TestRestartDuringPendingStart(t *testing.T) {
	m := newManager(t, layeredUnits(300*time.Millisecond, "sleep")...)
	starts, err := m.Start("all")
	if err != nil {
		t.Fatal(err)
	}
	restarts, err := m.Restart("second1")
	if rs := waitJobs(t, restarts, err); rs[0] != JobDone {
		t.Errorf("restart of second1: %s, want done", rs[0])
	}
	waitJobs(t, starts, nil)
	for u, r := range byUnit(starts) {
		if r != JobDone {
			t.Errorf("start job of %s: %s, want done", u, r)
		}
	}
	for _, s := range m.Units() {
		if s.State != Running {
			t.Errorf("%s: %s, want RUNNING", s.Unit.Name, s.State)
		}
	}
}
