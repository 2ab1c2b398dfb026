//go:build linux

package manager

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

func TestStartRunningStop(t *testing.T) {
	m := newManager(t, testUnit("web", "sleep", func(s *units.Service) { s.StartSecs = 200 * time.Millisecond }))
	sub := m.Subscribe()
	defer sub.Close()
	jobs, err := m.Start("web")
	if e := next(t, sub); e.Type != JobNew {
		t.Errorf("first event %s, want job-new", e.Type)
	}
	if e := next(t, sub); e.Type != UnitChanged {
		t.Errorf("second event %s, want unit-changed", e.Type)
	} else if e.New.State != Starting || e.New.MainPID == 0 {
		t.Errorf("second event: %s with pid %d, want STARTING with the pid", e.New.State, e.New.MainPID)
	}
	if err == nil && !jobs[0].finished() && !listed(m.Jobs(), jobs[0]) {
		t.Errorf("the start job is neither finished nor listed in Jobs()")
	}
	waitState(t, m, "web", Starting)
	if rs := waitJobs(t, jobs, err); rs[0] != JobDone {
		t.Fatalf("start job = %s (%s), want done", rs[0], jobs[0].Reason)
	}
	snap := waitState(t, m, "web", Running)
	if snap.ActiveState != "active" || snap.SubState != "running" || snap.MainPID <= 0 {
		t.Fatalf("running snapshot: %+v", snap)
	}
	pid := snap.MainPID
	jobs, err = m.Stop("web")
	if rs := waitJobs(t, jobs, err); rs[0] != JobDone {
		t.Fatalf("stop job = %s (%s), want done", rs[0], jobs[0].Reason)
	}
	snap, _ = m.Unit("web")
	if snap.State != Stopped || snap.ActiveState != "inactive" || snap.MainPID != 0 {
		t.Fatalf("after stop: %s %s pid %d", snap.State, snap.ActiveState, snap.MainPID)
	}
	if snap.LastExit.PID != pid || snap.LastExit.Code != "killed" || snap.LastExit.Signal != syscall.SIGTERM {
		t.Fatalf("last exit = %+v, want pid %d killed by SIGTERM", snap.LastExit, pid)
	}
	if alive(pid) {
		t.Fatalf("pid %d survived the stop", pid)
	}
}

func listed(js []*Job, j *Job) bool {
	for _, x := range js {
		if x == j {
			return true
		}
	}
	return false
}

// TestJobEvents: a job is announced (JobNew), listed while it runs, and
// removed (JobRemoved, with its result) only after the unit's state change
// that ended it was published.
func TestJobEvents(t *testing.T) {
	m := newManager(t, testUnit("web", "sleep", func(s *units.Service) { s.StartSecs = 100 * time.Millisecond }))
	sub := m.Subscribe()
	defer sub.Close()
	jobs, err := m.Start("web")
	waitJobs(t, jobs, err)
	var seen []string
	for len(seen) == 0 || seen[len(seen)-1] != "job-removed" {
		select {
		case e := <-sub.C:
			switch {
			case e.Type == JobNew && e.Job == jobs[0]:
				seen = append(seen, "job-new")
			case e.Type == UnitChanged && e.New.State == Running && e.Old.State != Running:
				seen = append(seen, "running")
			case e.Type == JobRemoved && e.Job == jobs[0]:
				if e.Job.Result != JobDone {
					t.Errorf("JobRemoved with result %s", e.Job.Result)
				}
				seen = append(seen, "job-removed")
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("events so far: %v", seen)
		}
	}
	if want := []string{"job-new", "running", "job-removed"}; strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("events %v, want %v", seen, want)
	}
	if listed(m.Jobs(), jobs[0]) {
		t.Error("a finished job is still listed")
	}
}
