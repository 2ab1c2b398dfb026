//go:build linux

package manager

import (
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// TestStartOrderAndDependency: a layered start waits for each layer to be
// RUNNING before the next begins; a unit whose Requires= failed gets
// "dependency" and is never spawned; stop goes in reverse.
func TestStartOrderAndDependency(t *testing.T) {
	slow := func(s *units.Service) { s.StartSecs = 300 * time.Millisecond }
	db := testUnit("db", "sleep", slow, func(s *units.Service) { s.Priority = 1 })
	app := testUnit("app", "sleep", slow)
	app.After, app.Requires = []string{"db.unit"}, []string{"db.unit"}
	broken := cmdUnit("broken", []string{"/bin/false"}, func(s *units.Service) { s.StartSecs = time.Minute; s.Priority = 1 })
	needy := testUnit("needy", "sleep")
	needy.Requires, needy.After = []string{"broken.unit"}, []string{"broken.unit"}
	m := newManager(t, db, app, broken, needy)

	sub := m.Subscribe()
	defer sub.Close()
	jobs, err := m.Start("db", "app", "broken", "needy")
	if err == nil && jobs[len(jobs)-1].State() != "waiting" && !jobs[len(jobs)-1].finished() {
		t.Errorf("the last layer's job is %s before the first layer is up, want waiting", jobs[len(jobs)-1].State())
	}
	rs := waitJobs(t, jobs, err)
	got := map[string]JobResult{}
	for i, j := range jobs {
		got[j.Unit] = rs[i]
	}
	want := map[string]JobResult{"db.unit": JobDone, "app.unit": JobDone, "broken.unit": JobFailed, "needy.unit": JobDependency}
	for u, r := range want {
		if got[u] != r {
			t.Errorf("%s: job %s, want %s", u, got[u], r)
		}
	}
	var order []string
	for len(order) < 2 {
		e := next(t, sub)
		if e.Type == UnitChanged && e.Old.State != e.New.State && (e.New.State == Starting || e.New.State == Running) && (e.Unit == "db.unit" || e.Unit == "app.unit") {
			order = append(order, e.Unit+":"+e.New.State.String())
		}
		if len(order) == 2 && order[1] != "db.unit:RUNNING" {
			t.Fatalf("order %v: app started before db was RUNNING", order)
		}
	}
	if s, _ := m.Unit("needy"); s.LastExit.PID != 0 || s.State != Stopped {
		t.Errorf("needy was spawned although broken failed: %+v", s)
	}
	stops, err := m.Stop("db", "app")
	waitJobs(t, stops, err)
	var stopped []string
	for len(stopped) < 2 {
		e := next(t, sub)
		if e.Type == UnitChanged && e.New.State == Stopping && e.Old.State != Stopping {
			stopped = append(stopped, e.Unit)
		}
	}
	if stopped[0] != "app.unit" {
		t.Errorf("stop order %v, want app before db", stopped)
	}
}
