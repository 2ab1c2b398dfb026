package manager

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"svunit.dev/svunit/units"
)

// stop handles a stop job (j is nil when a removal stops the unit). A stop
// that arrives while the unit is starting is applied at once: the process
// is signalled, never left to finish starting first.
func (s *service) stop(j *Job) {
	s.wantStart = false
	s.cancelJobs(&s.startJobs, JobCanceled, "a stop job replaced it")
	switch s.state {
	case Starting, Running:
		s.beginStop()
	case Stopping:
	case Backoff:
		s.clearTimer()
		s.move(Stopped)
	case Exited:
		if s.restartPending {
			s.clearTimer()
			s.restartPending = false
			s.move(Stopped)
		}
	}
	if j == nil {
		return
	}
	if s.state == Stopping {
		s.stopJobs = append(s.stopJobs, j)
		return
	}
	s.endJob(j, JobDone, "")
}

// restart stops the unit if it runs, then starts it; j finishes with the
// outcome of the start.
func (s *service) restart(j *Job) {
	switch s.state {
	case Starting, Running:
		s.cancelJobs(&s.startJobs, JobCanceled, "a restart job replaced it")
		s.wantStart = true // before beginStop, which may complete the stop at once
		s.startJobs = append(s.startJobs, j)
		s.beginStop()
	case Stopping:
		s.wantStart = true
		s.startJobs = append(s.startJobs, j)
	default:
		s.start(j)
	}
}

// beginStop sends KillSignal as KillMode= says and arms TimeoutStopSec.
// ExecStop= runs first when the main process is alive; KillSignal then
// goes to what it left. TimeoutStopSec covers both.
func (s *service) beginStop() {
	svc := &s.u.Service
	s.clearTimer()
	s.killControl()
	s.killing = false
	s.move(Stopping)
	if s.proc.main == 0 {
		s.stopped()
		return
	}
	s.stopDeadline = time.Time{}
	if d := svc.TimeoutStopSec; d > 0 && d != units.Infinity {
		s.stopDeadline = time.Now().Add(d)
		s.setTimer(d, timerStopTimeout)
	}
	if len(svc.ExecStop) > 0 {
		s.runControl(ctrlStop, svc.ExecStop)
		return
	}
	s.sendKillSignal()
}

// sendKillSignal sends KillSignal= as KillMode= says.
func (s *service) sendKillSignal() {
	switch s.u.Service.KillMode {
	case units.KillNone:
	case units.KillProcess, units.KillMixed:
		s.signalMain(s.stopSignal())
	default:
		s.signal(s.stopSignal(), true)
	}
}

// stopTimeout is TimeoutStopSec running out: SIGKILL (unless SendSIGKILL=no).
func (s *service) stopTimeout() {
	if s.state != Stopping {
		return
	}
	s.killing = true
	if !s.sendSIGKILL() {
		if s.proc.main == 0 {
			s.stopped() // SendSIGKILL=no: what is left keeps running
		}
		return
	}
	if s.ctrl.phase == ctrlStop {
		// ExecStop= hung: kill it, and let the main process's exit finish.
		s.killControl()
	}
	if s.u.Service.KillMode == units.KillProcess || s.u.Service.KillMode == units.KillNone {
		s.signalMain(syscall.SIGKILL)
	} else {
		s.signal(syscall.SIGKILL, false)
	}
	if s.proc.main == 0 {
		s.stopped() // only leftovers (or a hung ExecStop=) remained; no exit will come
	}
}

// mainGone goes on with a stop whose main process has exited: with
// KillMode=control-group, the other processes got the stop signal too and
// are given until TimeoutStopSec to exit before SIGKILL.
func (s *service) mainGone() {
	m := s.u.Service.KillMode
	if s.killing || m != units.KillControlGroup && m != "" || !hasLeftovers(s.proc, s.m.reaper) {
		s.stopped()
		return
	}
	s.leftoverWait = 10 * time.Millisecond
	s.armLeftoverCheck()
}

// armLeftoverCheck looks again after leftoverWait (growing to 0.5s), or at
// the stop deadline if that comes first. Nothing tells the manager when a
// process that is not its child exits, so this is the one place it looks
// periodically, and only while a stop is under way.
func (s *service) armLeftoverCheck() {
	d := s.leftoverWait
	if !s.stopDeadline.IsZero() {
		d = min(d, max(time.Until(s.stopDeadline), 0))
	}
	s.setTimer(d, timerLeftovers)
}

// checkLeftovers is the leftover timer: done, out of time, or look again.
func (s *service) checkLeftovers() {
	switch {
	case s.state != Stopping:
	case !hasLeftovers(s.proc, s.m.reaper):
		s.stopped()
	case !s.stopDeadline.IsZero() && !time.Now().Before(s.stopDeadline):
		s.stopTimeout()
	default:
		s.leftoverWait = min(2*s.leftoverWait, 500*time.Millisecond)
		s.armLeftoverCheck()
	}
}

// sendSIGKILL reports SendSIGKILL=; a unit built without the loader (zero
// value) gets systemd's default, yes, unless its KillMode is none.
func (s *service) sendSIGKILL() bool {
	return s.u.Service.SendSIGKILL || s.u.Service.KillMode == ""
}

// stopped completes a stop once the main process is gone; what is left of
// the run gets SIGKILL.
func (s *service) stopped() {
	s.clearTimer()
	s.killLeftovers()
	r, reason := JobDone, ""
	if s.killing {
		s.result = ResultTimeout
		r = JobTimeout
		reason = fmt.Sprintf("did not exit within TimeoutStopSec=%s after %s; killed with SIGKILL", s.u.Service.TimeoutStopSec, sigName(s.stopSignal()))
	} else {
		s.result = ResultSuccess
	}
	s.move(Stopped)
	s.cancelJobs(&s.stopJobs, r, reason)
	if s.wantStart && s.removed == nil && !s.m.shutting.Load() {
		s.wantStart = false
		s.restartPending = false
		s.backoffs, s.restartStep, s.execIndex = 0, 0, 0
		s.spawnMain(false)
	} else {
		s.cancelJobs(&s.startJobs, JobCanceled, "the unit stopped and will not start")
	}
}

func (s *service) stopSignal() syscall.Signal {
	if s.u.Service.KillSignal == 0 {
		return syscall.SIGTERM
	}
	return s.u.Service.KillSignal
}

// killLeftovers sends SIGKILL (KillSignal with SendSIGKILL=no) to what
// remains of a run whose main process has exited: with control-group and
// mixed, a unit owns all it started.
func (s *service) killLeftovers() {
	switch s.u.Service.KillMode {
	case units.KillProcess, units.KillNone:
		return
	}
	if (s.proc.pgid != 0 || s.proc.cgroup != "") && hasLeftovers(s.proc, s.m.reaper) {
		if s.sendSIGKILL() {
			signalGroup(s.proc, s.m.reaper, false, syscall.SIGKILL)
		} else {
			signalGroup(s.proc, s.m.reaper, false, s.stopSignal(), syscall.SIGCONT)
		}
	}
}

// signal sends sig to every process of the run (and SIGCONT, so that a
// stopped process sees it), or to all but the main one when mixed asks.
func (s *service) signal(sig syscall.Signal, cont bool) {
	if cont && sig != syscall.SIGKILL && sig != syscall.SIGCONT {
		signalGroup(s.proc, s.m.reaper, false, sig, syscall.SIGCONT)
		return
	}
	signalGroup(s.proc, s.m.reaper, false, sig)
}

func (s *service) signalMain(sig syscall.Signal) {
	if s.proc.main > 0 {
		_ = syscall.Kill(s.proc.main, sig)
		if sig != syscall.SIGKILL {
			_ = syscall.Kill(s.proc.main, syscall.SIGCONT)
		}
	}
	if sig == syscall.SIGKILL && s.u.Service.KillMode == units.KillMixed {
		signalGroup(s.proc, s.m.reaper, true, syscall.SIGKILL)
	}
}

// errNoProcess is Kill's error for a unit with nothing running.
var errNoProcess = errors.New("no process to signal: the unit is not running")

// kill sends sig to the "main" process, the "control" process, or "all"
// processes of the run, as KillUnit does.
func (s *service) kill(who string, sig syscall.Signal) error {
	if s.proc.main == 0 && s.ctrl.pid == 0 {
		return fmt.Errorf("%s: %w", s.name, errNoProcess)
	}
	pid := s.proc.main
	switch who {
	case "main", "":
	case "control":
		pid = s.ctrl.pid
	case "all":
		if signalGroup(s.proc, s.m.reaper, false, sig)+s.signalControl(sig) == 0 {
			return fmt.Errorf("%s: %w", s.name, errNoProcess)
		}
		return nil
	default:
		return fmt.Errorf("kill %s: who must be main, control or all, not %q", s.name, who)
	}
	if pid == 0 {
		return fmt.Errorf("%s: %w", s.name, errNoProcess)
	}
	return syscall.Kill(pid, sig)
}

// signalControl sends sig to a running control process; it reports how
// many processes it signalled (0 or 1).
func (s *service) signalControl(sig syscall.Signal) int {
	if s.ctrl.pid > 0 && syscall.Kill(s.ctrl.pid, sig) == nil {
		return 1
	}
	return 0
}
