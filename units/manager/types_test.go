//go:build linux

package manager

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// TestNotify: a Type=notify unit is RUNNING only after READY=1 (sent with
// go-systemd's daemon.SdNotify), and STATUS= shows in its snapshot.
func TestNotify(t *testing.T) {
	m := newManager(t,
		testUnit("ready", "notify", func(s *units.Service) { s.Type = units.Notify; s.TimeoutStartSec = 20 * time.Second }),
		testUnit("mute", "sleep", func(s *units.Service) { s.Type = units.Notify; s.TimeoutStartSec = 300 * time.Millisecond }),
	)
	if rs := waitFor(t)(m.Start("ready")); rs[0] != JobDone {
		t.Fatalf("start job = %s", rs[0])
	}
	snap := waitUnit(t, m, "ready", 10*time.Second, "serving", func(s Snapshot) bool { return s.StatusText == "serving" })
	if snap.State != Running {
		t.Errorf("notify unit after READY=1: %s", snap.State)
	}
	jobs, err := m.Start("mute")
	if rs := waitJobs(t, jobs, err); rs[0] != JobTimeout {
		t.Errorf("a notify unit that never says READY=1: start job %s (%s), want timeout", rs[0], jobs[0].Reason)
	}
	if snap := waitState(t, m, "mute", Fatal); snap.Result != ResultTimeout {
		t.Errorf("result %s, want timeout", snap.Result)
	}
}

// TestOneshot: each ExecStart= line runs in turn; the job is done when the
// last one succeeds, and failed when one fails.
func TestOneshot(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "mark")
	ok := cmdUnit("ok", []string{"/bin/true"}, func(s *units.Service) {
		s.Type = units.Oneshot
		s.ExecStart = []units.Command{{Argv: []string{"/bin/true"}}, {Argv: []string{"/bin/touch", mark}}}
	})
	bad := cmdUnit("bad", []string{"/bin/false"}, func(s *units.Service) { s.Type = units.Oneshot })
	ignored := cmdUnit("ignored", []string{"/bin/false"}, func(s *units.Service) {
		s.Type = units.Oneshot
		s.ExecStart[0].IgnoreFailure = true
	})
	m := newManager(t, ok, bad, ignored)
	if rs := waitFor(t)(m.Start("ok")); rs[0] != JobDone {
		t.Errorf("oneshot ok: %s", rs[0])
	}
	if _, err := os.Stat(mark); err != nil {
		t.Errorf("the second ExecStart= did not run: %v", err)
	}
	if s, _ := m.Unit("ok"); s.State != Exited || s.ActiveState != "inactive" {
		t.Errorf("oneshot ok: %s %s", s.State, s.ActiveState)
	}
	if rs := waitFor(t)(m.Start("bad")); rs[0] != JobFailed {
		t.Errorf("oneshot bad: %s", rs[0])
	}
	if rs := waitFor(t)(m.Start("ignored")); rs[0] != JobDone {
		t.Errorf("oneshot with '-': %s", rs[0])
	}
}

// TestForkingPIDFile: a forking unit with PIDFile= runs with the pid from
// the file as MainPID, and its exit is seen.
func TestForkingPIDFile(t *testing.T) {
	f := tempFile(t, "pid")
	m := newManager(t, testUnit("daemon", "daemonize:"+f, func(s *units.Service) {
		s.Type, s.PIDFile = units.Forking, f
		s.Restart = units.RestartNo
	}))
	if rs := waitFor(t)(m.Start("daemon")); rs[0] != JobDone {
		t.Fatalf("start: %s", rs[0])
	}
	pid, _ := strconv.Atoi(waitFile(t, f))
	snap := waitState(t, m, "daemon", Running)
	if snap.MainPID != pid {
		t.Fatalf("MainPID %d, want %d from PIDFile", snap.MainPID, pid)
	}
	if err := m.Kill("daemon", "main", 9); err != nil {
		t.Fatal(err)
	}
	if snap := waitState(t, m, "daemon", Exited); snap.LastExit.PID != pid || snap.LastExit.Signal != 9 {
		t.Errorf("daemon exit not seen: %+v", snap.LastExit)
	}
}

// TestNotifyMainPID: MAINPID= moves the main process to another process of
// the unit; a MAINPID= naming someone else's process (here init) is
// ignored.
func TestNotifyMainPID(t *testing.T) {
	f := tempFile(t, "pid")
	notify := func(s *units.Service) { s.Type = units.Notify; s.TimeoutStartSec = 20 * time.Second }
	m := newManager(t, testUnit("moved", "mainpid:"+f, notify), testUnit("liar", "mainpid-init", notify))
	if rs := waitFor(t)(m.Start("moved", "liar")); rs[0] != JobDone || rs[1] != JobDone {
		t.Fatalf("start jobs: %v", rs)
	}
	gc, _ := strconv.Atoi(waitFile(t, f))
	if snap, _ := m.Unit("moved"); snap.MainPID != gc {
		t.Errorf("MainPID %d, want %d from MAINPID=", snap.MainPID, gc)
	}
	if snap, _ := m.Unit("liar"); snap.MainPID == 1 || snap.MainPID == 0 {
		t.Errorf("MAINPID=1 was taken: MainPID %d", snap.MainPID)
	}
	waitFor(t)(m.Stop("moved"))
	waitGone(t, gc)
}

// TestForkingPIDFileForeign: a PIDFile= naming a process that is not the
// unit's (here the manager itself) fails the start instead of adopting it.
func TestForkingPIDFileForeign(t *testing.T) {
	f := tempFile(t, "pid")
	os.WriteFile(f, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	m := newManager(t, cmdUnit("liar", []string{"/bin/true"}, func(s *units.Service) {
		s.Type, s.PIDFile = units.Forking, f
	}))
	jobs, err := m.Start("liar")
	if rs := waitJobs(t, jobs, err); rs[0] != JobFailed || !strings.Contains(jobs[0].Reason, "not a process of this unit") {
		t.Errorf("start: %s (%s)", rs[0], jobs[0].Reason)
	}
}
