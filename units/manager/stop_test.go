//go:build linux

package manager

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// TestStopTERMIgnored: a child that ignores SIGTERM is killed when
// TimeoutStopSec runs out, and the stop job says so.
func TestStopTERMIgnored(t *testing.T) {
	ready := tempFile(t, "ready")
	m := newManager(t, testUnit("stubborn", "ignore-term:"+ready, func(s *units.Service) {
		s.TimeoutStopSec = 300 * time.Millisecond
	}))
	waitFor(t)(m.Start("stubborn"))
	waitFile(t, ready)
	jobs, err := m.Stop("stubborn")
	if rs := waitJobs(t, jobs, err); rs[0] != JobTimeout || !strings.Contains(jobs[0].Reason, "SIGKILL") {
		t.Fatalf("stop job = %s (%s), want timeout naming SIGKILL", rs[0], jobs[0].Reason)
	}
	snap, _ := m.Unit("stubborn")
	if snap.LastExit.Signal != syscall.SIGKILL || snap.Result != ResultTimeout || snap.ActiveState != "failed" {
		t.Errorf("after the kill: exit %s, result %s, %s", snap.LastExit, snap.Result, snap.ActiveState)
	}
}

// TestStopInfinity: with TimeoutStopSec=infinity the manager never sends
// SIGKILL; the unit stays in stop-sigterm until the process goes.
func TestStopInfinity(t *testing.T) {
	ready := tempFile(t, "ready")
	m := newManager(t, testUnit("forever", "ignore-term:"+ready, func(s *units.Service) {
		s.TimeoutStopSec = units.Infinity
	}))
	waitFor(t)(m.Start("forever"))
	waitFile(t, ready)
	jobs, err := m.Stop("forever")
	snap := waitState(t, m, "forever", Stopping)
	if snap.SubState != "stop-sigterm" {
		t.Errorf("SubState %s, want stop-sigterm", snap.SubState)
	}
	// Nothing but this test's own SIGKILL ends it: the job must say done,
	// not timeout (which would mean the manager killed it).
	if err := syscall.Kill(snap.MainPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if rs := waitJobs(t, jobs, err); rs[0] != JobDone {
		t.Errorf("stop job = %s (%s), want done", rs[0], jobs[0].Reason)
	}
}

// TestKillModeGrandchildren: control-group kills a background grandchild,
// also one that left with setsid, and one whose parent exited (inherited by
// the subreaper); process leaves it alone. Each case runs with the unit's
// own cgroup (where the system allows one) and with the process group and
// /proc only.
func TestKillModeGrandchildren(t *testing.T) {
	cases := []killCase{
		{"grandchild", units.KillControlGroup, units.Simple, false},
		{"setsid", units.KillControlGroup, units.Simple, false},
		{"daemonize", units.KillControlGroup, units.Forking, false},
		{"setsid", units.KillMixed, units.Simple, false},
		{"grandchild", units.KillProcess, units.Simple, true},
		{"setsid", units.KillProcess, units.Simple, true},
	}
	for _, c := range cases {
		for _, noCgroups := range []bool{false, true} {
			name := fmt.Sprintf("%s-%s-cgroups=%v", c.mode, c.killMode, !noCgroups)
			t.Run(name, func(t *testing.T) { c.run(t, noCgroups) })
		}
	}
}

type killCase struct {
	mode     string // the child mode that leaves a grandchild
	killMode units.KillMode
	typ      units.ServiceType
	survives bool // the grandchild outlives the stop
}

func (c killCase) run(t *testing.T, noCgroups bool) {
	f := tempFile(t, "pid")
	m := newManagerConfig(t, Config{NoCgroups: noCgroups}, testUnit("tree", c.mode+":"+f, func(s *units.Service) {
		s.KillMode, s.Type, s.TimeoutStopSec = c.killMode, c.typ, 5*time.Second
	}))
	starts, err := m.Start("tree")
	if rs := waitJobs(t, starts, err); rs[0] != JobDone {
		t.Fatalf("start job = %s (%s)", rs[0], starts[0].Reason)
	}
	gc, _ := strconv.Atoi(waitFile(t, f))
	t.Cleanup(func() {
		syscall.Kill(gc, syscall.SIGKILL)
		waitGone(t, gc) // before Shutdown removes the unit's cgroup
	})
	snap, _ := m.Unit("tree")
	if cg := snap.ControlGroup; noCgroups && cg != "" || !noCgroups && m.cg != nil && cg == "" {
		t.Fatalf("NoCgroups=%v, yet ControlGroup=%q", noCgroups, cg)
	}
	if c.typ == units.Forking && snap.MainPID != gc {
		t.Errorf("forking: MainPID %d, want the daemon %d", snap.MainPID, gc)
	}
	if !alive(gc) {
		t.Fatalf("grandchild %d is not running before the stop", gc)
	}
	jobs, err := m.Stop("tree")
	if rs := waitJobs(t, jobs, err); rs[0] != JobDone {
		t.Errorf("stop job = %s (%s)", rs[0], jobs[0].Reason)
	}
	if !c.survives {
		waitGone(t, gc)
	} else if !alive(gc) {
		t.Errorf("KillMode=%s killed the grandchild", c.killMode)
	}
}

// TestStopRightAfterStart: a stop that arrives while the unit is starting
// is never lost, and SIGTERM is enough every time.
func TestStopRightAfterStart(t *testing.T) {
	m := newManager(t, cmdUnit("quick", []string{"/bin/sleep", "3600"}, func(s *units.Service) {
		s.StartSecs, s.TimeoutStopSec = time.Second, 10*time.Second
	}))
	for i := 0; i < 200; i++ {
		starts, err := m.Start("quick")
		if err != nil {
			t.Fatal(err)
		}
		stops, err := m.Stop("quick")
		if rs := waitJobs(t, stops, err); rs[0] != JobDone {
			t.Fatalf("round %d: stop job = %s (%s)", i, rs[0], stops[0].Reason)
		}
		waitJobs(t, starts, nil)
		if snap, _ := m.Unit("quick"); snap.State != Stopped || snap.LastExit.Signal == syscall.SIGKILL {
			t.Fatalf("round %d: %s, last exit %s", i, snap.State, snap.LastExit)
		}
	}
}

// TestCgroupPlacement: where the manager has a cgroup v2 subtree, a unit's
// process runs in the unit's own group from its first instruction; where
// it has none, ControlGroup is empty.
func TestCgroupPlacement(t *testing.T) {
	m := newManager(t, testUnit("placed", "sleep"))
	waitFor(t)(m.Start("placed"))
	snap := waitState(t, m, "placed", Running)
	if m.cg == nil {
		_, err := openCgroups()
		t.Logf("no cgroups here (%v): the process group and /proc are used", err)
		if snap.ControlGroup != "" {
			t.Errorf("ControlGroup=%q without cgroups", snap.ControlGroup)
		}
		return
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", snap.MainPID))
	if err != nil {
		t.Fatal(err)
	}
	rel := strings.TrimPrefix(snap.ControlGroup, cgroup2Mount())
	if !strings.Contains(string(b), "0::"+rel+"\n") {
		t.Errorf("pid %d is in %q, want 0::%s", snap.MainPID, b, rel)
	}
	if !slices.Contains(cgroupProcs(snap.ControlGroup), snap.MainPID) {
		t.Errorf("cgroup.procs of %s lacks pid %d", snap.ControlGroup, snap.MainPID)
	}
}

// TestStopWaitsForLeftovers: with KillMode=control-group, a grandchild that
// takes a moment to exit after the stop signal gets that moment (until
// TimeoutStopSec) after the main process is gone, instead of SIGKILL.
func TestStopWaitsForLeftovers(t *testing.T) {
	for _, noCgroups := range []bool{false, true} {
		t.Run(fmt.Sprintf("cgroups=%v", !noCgroups), func(t *testing.T) {
			f := tempFile(t, "cleaned")
			m := newManagerConfig(t, Config{NoCgroups: noCgroups}, testUnit("tree", "lingering:"+f, func(s *units.Service) {
				s.TimeoutStopSec = 10 * time.Second
			}))
			waitFor(t)(m.Start("tree"))
			gc, _ := strconv.Atoi(waitFile(t, f+".pid"))
			waitFile(t, f+".ready")
			if rs := waitFor(t)(m.Stop("tree")); rs[0] != JobDone {
				t.Errorf("stop: %s", rs[0])
			}
			if b, err := os.ReadFile(f); err != nil || string(b) != "cleaned up" {
				t.Errorf("the grandchild did not finish its clean-up before the stop ended: %q, %v", b, err)
			}
			waitGone(t, gc)
		})
	}
}

// TestStopKillsStubbornLeftovers: a grandchild that ignores the stop
// signal is killed at TimeoutStopSec although the main process exited at
// once, and the stop says it needed SIGKILL.
func TestStopKillsStubbornLeftovers(t *testing.T) {
	f := tempFile(t, "ready")
	m := newManager(t, testUnit("tree", "stubborn-child:"+f, func(s *units.Service) {
		s.TimeoutStopSec = 300 * time.Millisecond
	}))
	waitFor(t)(m.Start("tree"))
	gc, _ := strconv.Atoi(waitFile(t, f+".pid"))
	waitFile(t, f)
	jobs, err := m.Stop("tree")
	if rs := waitJobs(t, jobs, err); rs[0] != JobTimeout {
		t.Errorf("stop: %s (%s), want timeout", rs[0], jobs[0].Reason)
	}
	waitGone(t, gc)
}
