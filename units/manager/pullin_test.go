//go:build linux

package manager

import (
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// TestStartPullsInWants: starting web, which Wants=api, starts api first
// (api RUNNING before web is spawned), and the job of web comes first in
// the result; api gets a start job even when web is restarted.
func TestStartPullsInWants(t *testing.T) {
	api := testUnit("api", "sleep", func(s *units.Service) { s.StartSecs = 200 * time.Millisecond })
	web := testUnit("web", "sleep")
	web.Wants = []string{"api.unit"}
	m := newManager(t, api, web)
	sub := m.Subscribe()
	defer sub.Close()

	jobs, err := m.Start("web")
	rs := waitJobs(t, jobs, err)
	if len(jobs) != 2 || jobs[0].Unit != "web.unit" || jobs[1].Unit != "api.unit" || jobs[1].Type != JobStart {
		t.Fatalf("jobs %v, want web's start then api's", jobUnits(jobs))
	}
	if rs[0] != JobDone || rs[1] != JobDone {
		t.Errorf("results %v, want done, done", rs)
	}
	var order []string
	for len(order) < 2 {
		e := next(t, sub)
		if e.Type == UnitChanged && e.Old.State != e.New.State && (e.Unit == "api.unit" && e.New.State == Running || e.Unit == "web.unit" && e.New.State == Starting) {
			order = append(order, e.Unit+":"+e.New.State.String())
		}
	}
	if order[0] != "api.unit:RUNNING" {
		t.Errorf("order %v: web was spawned before the api it wants was RUNNING", order)
	}

	waitFor(t)(m.Stop("api"))
	jobs, err = m.Restart("web")
	rs = waitJobs(t, jobs, err)
	if len(jobs) != 2 || jobs[0].Type != JobRestart || jobs[1].Unit != "api.unit" || jobs[1].Type != JobStart || rs[1] != JobDone {
		t.Errorf("restart of web: jobs %v (%s, %s), results %v; want web's restart, then api's start, done", jobUnits(jobs), jobs[0].Type, jobs[1].Type, rs)
	}
	if s, _ := m.Unit("api"); s.State != Running {
		t.Errorf("api is %s after restarting web, want RUNNING", s.State)
	}
}

// TestStartPullsInRequires: a unit pulled in by Requires= that fails to
// start fails its dependent with "dependency", which is never spawned;
// pulling in is transitive.
func TestStartPullsInRequires(t *testing.T) {
	db := cmdUnit("db", []string{"/bin/false"}, func(s *units.Service) { s.StartSecs = time.Minute; s.StartRetries = 0 })
	api := testUnit("api", "sleep")
	api.Requires = []string{"db.unit"}
	web := testUnit("web", "sleep")
	web.Wants = []string{"api.unit"}
	web.Requires = []string{"api.unit"}
	m := newManager(t, db, api, web)

	jobs, err := m.Start("web")
	waitJobs(t, jobs, err)
	got := byUnit(jobs)
	want := map[string]JobResult{"db.unit": JobFailed, "api.unit": JobDependency, "web.unit": JobDependency}
	for u, r := range want {
		if got[u] != r {
			t.Errorf("%s: %s, want %s (all: %v)", u, got[u], r, got)
		}
	}
	for _, name := range []string{"api", "web"} {
		if s, _ := m.Unit(name); s.LastExit.PID != 0 || s.State != Stopped {
			t.Errorf("%s was spawned although what it requires failed: %s", name, s.State)
		}
	}
}

func jobUnits(jobs []*Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Unit)
	}
	return out
}

// TestStopStopsDependents: stopping db stops api, which Requires= it, and
// web, which requires api, in reverse start order (web, api, db), as
// systemd does; a unit that only Wants= db keeps running, and db's job
// comes first in the result.
func TestStopStopsDependents(t *testing.T) {
	db := testUnit("db", "sleep")
	api := testUnit("api", "sleep")
	api.Requires = []string{"db.unit"}
	web := testUnit("web", "sleep")
	web.Requires = []string{"api.unit"}
	cron := testUnit("cron", "sleep")
	cron.Wants = []string{"db.unit"}
	m := newManager(t, db, api, web, cron)
	waitFor(t)(m.Start("web", "cron"))
	sub := m.Subscribe()
	defer sub.Close()

	jobs, err := m.Stop("db")
	rs := waitJobs(t, jobs, err)
	if len(jobs) != 3 || jobs[0].Unit != "db.unit" || byUnit(jobs)["api.unit"] != JobDone || byUnit(jobs)["web.unit"] != JobDone || rs[0] != JobDone {
		t.Fatalf("stop db: jobs %v, results %v; want db's first, then api's and web's, all done", jobUnits(jobs), rs)
	}
	for _, j := range jobs {
		if j.Type != JobStop {
			t.Errorf("%s got a %s job, want stop", j.Unit, j.Type)
		}
	}
	var order []string
	for len(order) < 3 {
		if e := next(t, sub); e.Type == UnitChanged && e.Old.State != e.New.State && e.New.State == Stopped {
			order = append(order, e.Unit)
		}
	}
	if order[0] != "web.unit" || order[1] != "api.unit" || order[2] != "db.unit" {
		t.Errorf("stopped in the order %v, want web, api, db", order)
	}
	if s, _ := m.Unit("cron"); s.State != Running {
		t.Errorf("cron, which only wants db, is %s", s.State)
	}
}
