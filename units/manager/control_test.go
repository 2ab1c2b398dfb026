//go:build linux

package manager

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// sh returns a command that runs script with /bin/sh.
func sh(script string) units.Command { return units.Command{Argv: []string{"/bin/sh", "-c", script}} }

func readLines(t *testing.T, name string) []string {
	t.Helper()
	b, _ := os.ReadFile(name)
	return strings.Fields(strings.ReplaceAll(string(b), "\n", " | "))
}

// TestExecStartPrePost: ExecStartPre= runs before the program and
// ExecStartPost= after it started, with $MAINPID; a failing pre command
// fails the start before the program ever runs, unless prefixed with '-'.
func TestExecStartPrePost(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	hooks := func(pre units.Command) func(*units.Service) {
		return func(s *units.Service) {
			s.ExecStartPre = []units.Command{pre}
			s.ExecStartPost = []units.Command{sh("echo post $MAINPID >> " + log)}
		}
	}
	main := []string{"/bin/sh", "-c", "echo main >> " + log + "; exec sleep 1000"}
	ignored := sh("exit 1")
	ignored.IgnoreFailure = true
	m := newManager(t,
		cmdUnit("hooked", main, hooks(sh("echo pre >> "+log))),
		cmdUnit("prefails", main, hooks(func() units.Command { c := sh("exit 1"); c.File, c.Line = "/u/prefails.unit.d/pre.conf", 2; return c }())),
		cmdUnit("preignored", []string{"/bin/sleep", "1000"}, hooks(ignored)),
	)
	if rs := waitFor(t)(m.Start("hooked")); rs[0] != JobDone {
		t.Fatalf("start: %s", rs[0])
	}
	snap := waitState(t, m, "hooked", Running)
	got := readLines(t, log)
	if len(got) < 1 || got[0] != "pre" || !strings.Contains(strings.Join(got, " "), "post "+strconv.Itoa(snap.MainPID)) {
		t.Errorf("log %v: want pre first and post with MAINPID %d", got, snap.MainPID)
	}
	waitFor(t)(m.Stop("hooked"))
	os.Remove(log)

	jobs, err := m.Start("prefails")
	if rs := waitJobs(t, jobs, err); rs[0] != JobFailed || !strings.Contains(jobs[0].Reason, "ExecStartPre= (/u/prefails.unit.d/pre.conf:2)") {
		t.Errorf("failing ExecStartPre: job %s (%s)", rs[0], jobs[0].Reason)
	}
	if got := readLines(t, log); len(got) != 0 {
		t.Errorf("the program ran after its ExecStartPre failed: %v", got)
	}
	if rs := waitFor(t)(m.Start("preignored")); rs[0] != JobDone {
		t.Errorf("'-' ExecStartPre: job %s", rs[0])
	}
}

// TestExecStop: ExecStop= runs with $MAINPID and its stopping the program
// is a clean stop; KillSignal is not needed.
func TestExecStop(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	m := newManager(t, cmdUnit("polite", []string{"/bin/sleep", "1000"}, func(s *units.Service) {
		s.ExecStop = []units.Command{sh("echo stop $MAINPID >> " + log + "; kill -USR1 $MAINPID")}
		s.SuccessExitStatus.Signals = []syscall.Signal{syscall.SIGUSR1}
	}))
	waitFor(t)(m.Start("polite"))
	pid := waitState(t, m, "polite", Running).MainPID
	if rs := waitFor(t)(m.Stop("polite")); rs[0] != JobDone {
		t.Fatalf("stop: %s", rs[0])
	}
	if got := strings.Join(readLines(t, log), " "); got != "stop "+strconv.Itoa(pid)+" |" {
		t.Errorf("ExecStop log %q", got)
	}
	if snap, _ := m.Unit("polite"); snap.LastExit.Signal != syscall.SIGUSR1 || snap.ActiveState != "inactive" {
		t.Errorf("after ExecStop: exit %s, %s", snap.LastExit, snap.ActiveState)
	}
}

// TestReloadOrRestart: ExecReload= runs on the running process (same
// pid); a failing one fails the job and leaves it running; a unit without
// ExecReload= is restarted.
func TestReloadOrRestart(t *testing.T) {
	m := newManager(t,
		cmdUnit("reloadable", []string{"/bin/sleep", "1000"}, func(s *units.Service) {
			s.ExecReload = []units.Command{sh("kill -0 $MAINPID")}
		}),
		cmdUnit("badreload", []string{"/bin/sleep", "1000"}, func(s *units.Service) {
			s.ExecReload = []units.Command{sh("exit 3")}
		}),
		cmdUnit("plain", []string{"/bin/sleep", "1000"}),
	)
	waitFor(t)(m.Start("all"))
	before := map[string]int{}
	for _, s := range m.Units() {
		before[s.Unit.Name] = s.MainPID
	}
	jobs, err := m.ReloadOrRestart("all")
	rs := waitJobs(t, jobs, err)
	for i, j := range jobs {
		snap, _ := m.Unit(j.Unit)
		same := snap.MainPID == before[j.Unit]
		switch j.Unit {
		case "reloadable.unit":
			if rs[i] != JobDone || !same {
				t.Errorf("reloadable: job %s (%s), same pid %v", rs[i], j.Reason, same)
			}
		case "badreload.unit":
			if rs[i] != JobFailed || !same || snap.State != Running {
				t.Errorf("badreload: job %s, same pid %v, %s", rs[i], same, snap.State)
			}
		case "plain.unit":
			if rs[i] != JobDone || same {
				t.Errorf("plain: job %s, same pid %v (want a restart)", rs[i], same)
			}
		}
	}
}

// TestKillControl: Kill reaches the running ExecStartPre= process, whose
// death fails the start; with nothing running Kill says so.
func TestKillControl(t *testing.T) {
	m := newManager(t, cmdUnit("slowpre", []string{"/bin/sleep", "1000"}, func(s *units.Service) {
		s.ExecStartPre = []units.Command{{Argv: []string{"/bin/sleep", "1000"}}}
	}))
	if err := m.Kill("slowpre", "all", syscall.SIGTERM); !errors.Is(err, errNoProcess) {
		t.Errorf("Kill on a stopped unit: %v", err)
	}
	jobs, err := m.Start("slowpre")
	snap := waitUnit(t, m, "slowpre", 20*time.Second, "running ExecStartPre", func(s Snapshot) bool { return s.ControlPID != 0 })
	if snap.MainPID != 0 || snap.State != Starting {
		t.Errorf("during ExecStartPre: MainPID %d, %s", snap.MainPID, snap.State)
	}
	if err := m.Kill("slowpre", "control", syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if rs := waitJobs(t, jobs, err); rs[0] != JobFailed {
		t.Errorf("start after its ExecStartPre was killed: %s", rs[0])
	}
}

// TestExecStopHangs: an ExecStop= that never returns is killed at
// TimeoutStopSec, also when the main process has already gone.
func TestExecStopHangs(t *testing.T) {
	m := newManager(t, cmdUnit("hang", []string{"/bin/sleep", "1000"}, func(s *units.Service) {
		s.ExecStop = []units.Command{sh("kill $MAINPID; exec sleep 1000")}
		s.TimeoutStopSec = 300 * time.Millisecond
	}))
	waitFor(t)(m.Start("hang"))
	jobs, err := m.Stop("hang")
	if rs := waitJobs(t, jobs, err); rs[0] != JobTimeout {
		t.Errorf("stop: %s (%s), want timeout", rs[0], jobs[0].Reason)
	}
	if snap, _ := m.Unit("hang"); snap.State != Stopped || snap.ControlPID != 0 {
		t.Errorf("after the stop: %s, control pid %d", snap.State, snap.ControlPID)
	}
}

// TestRestartDuringExecStartPre: a restart that arrives while ExecStartPre=
// runs (no main process yet) stops it and starts again. (With cgroups,
// this also checks that killing the old run spares the new one: a fork
// into a group right after writing its cgroup.kill is killed too.)
func TestRestartDuringExecStartPre(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "gate")
	m := newManager(t, cmdUnit("gated", []string{"/bin/sleep", "1000"}, func(s *units.Service) {
		s.ExecStartPre = []units.Command{sh("while [ ! -e " + gate + " ]; do sleep 0.01; done")}
	}))
	starts, err := m.Start("gated")
	waitUnit(t, m, "gated", 20*time.Second, "running ExecStartPre", func(s Snapshot) bool { return s.ControlPID != 0 })
	restarts, err2 := m.Restart("gated")
	if rs := waitJobs(t, starts, err); rs[0] != JobCanceled {
		t.Errorf("first start: %s", rs[0])
	}
	os.WriteFile(gate, nil, 0o644)
	if rs := waitJobs(t, restarts, err2); rs[0] != JobDone {
		t.Errorf("restart: %s (%s)", rs[0], restarts[0].Reason)
	}
	waitState(t, m, "gated", Running)
}
