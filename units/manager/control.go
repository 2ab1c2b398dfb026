package manager

import (
	"fmt"
	"strconv"
	"syscall"

	"svunit.dev/svunit/units"
)

// controlPhase says which Exec*= list a control process belongs to.
type controlPhase int

const (
	ctrlNone      controlPhase = iota
	ctrlStartPre               // before the main process; a failure fails the start
	ctrlStartPost              // after the start criterion, before Running
	ctrlStop                   // asks the program to stop; KillSignal follows for what is left
	ctrlReload                 // reload-or-restart on a running unit
)

var phaseNames = [...]string{"", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecReload"}

// control is the running control process of a unit and the commands of
// its phase that follow it. Owned by the service's goroutine.
type control struct {
	phase controlPhase
	pid   int             // 0 while none runs
	cur   units.Command   // the command pid runs
	rest  []units.Command // the commands after it
	jobs  []*Job          // reload jobs waiting for ctrlReload
}

// runControl runs cmds one after the other as control processes.
func (s *service) runControl(phase controlPhase, cmds []units.Command) {
	s.ctrl.phase, s.ctrl.rest = phase, cmds
	s.nextControl()
}

// nextControl forks the next command of the phase, or ends the phase.
func (s *service) nextControl() {
	for len(s.ctrl.rest) > 0 {
		cmd := s.ctrl.rest[0]
		s.ctrl.rest, s.ctrl.cur = s.ctrl.rest[1:], cmd
		extra := []string{"INVOCATION_ID=" + s.proc.invocation}
		if s.proc.main > 0 {
			extra = append(extra, "MAINPID="+strconv.Itoa(s.proc.main))
		}
		pid, err := s.spawnCmd(cmd, extra)
		if err == nil {
			s.ctrl.pid = pid
			return
		}
		if !cmd.IgnoreFailure {
			s.controlDone(false, fmt.Sprintf("%s=: %v", phaseNames[s.ctrl.phase], err))
			return
		}
	}
	s.controlDone(true, "")
}

// onControlExit moves on after a control process exits.
func (s *service) onControlExit(pid int, ws syscall.WaitStatus) {
	e := exitInfo(pid, ws)
	s.ctrl.pid = 0
	if e.Success(s.u) || s.ctrl.cur.IgnoreFailure {
		s.nextControl()
		return
	}
	s.controlDone(false, fmt.Sprintf("%s= (%s:%d) %s", phaseNames[s.ctrl.phase], s.ctrl.cur.Where(s.u), s.ctrl.cur.Line, e))
}

// controlDone ends a phase and applies its outcome.
func (s *service) controlDone(ok bool, reason string) {
	phase := s.ctrl.phase
	s.ctrl.phase, s.ctrl.rest = ctrlNone, nil
	switch phase {
	case ctrlStartPre:
		if ok {
			s.forkMain()
		} else {
			s.earlyFailure(ResultExitCode, reason, false)
		}
	case ctrlStartPost:
		switch {
		case ok:
			s.up()
		case s.proc.main == 0:
			s.earlyFailure(ResultExitCode, reason, false)
		default:
			s.result = ResultExitCode
			s.cancelJobs(&s.startJobs, JobFailed, reason)
			s.beginStop()
		}
	case ctrlStop:
		if s.proc.main == 0 {
			s.mainGone()
		} else {
			s.sendKillSignal() // what ExecStop= left running
		}
	case ctrlReload:
		r := JobDone
		if !ok {
			r = JobFailed
		}
		s.cancelJobs(&s.ctrl.jobs, r, reason)
	}
}

// killControl ends a running control process at once (a stop, or the main
// process gone) and forgets it; waiting reload jobs are canceled.
func (s *service) killControl() {
	if s.ctrl.pid > 0 {
		syscall.Kill(-s.ctrl.pid, syscall.SIGKILL)
		syscall.Kill(s.ctrl.pid, syscall.SIGKILL)
	}
	s.ctrl.pid, s.ctrl.phase, s.ctrl.rest = 0, ctrlNone, nil
	s.cancelJobs(&s.ctrl.jobs, JobCanceled, "the unit stopped while reloading")
}

// reload handles a reload-or-restart job: ExecReload= on a running unit
// that has it, else a restart (or a start when the unit is not running).
func (s *service) reload(j *Job) {
	svc := &s.u.Service
	switch {
	case s.state == Running && s.ctrl.phase == ctrlReload:
		s.ctrl.jobs = append(s.ctrl.jobs, j)
	case s.state == Running && len(svc.ExecReload) > 0 && s.ctrl.phase == ctrlNone:
		s.ctrl.jobs = append(s.ctrl.jobs, j)
		s.runControl(ctrlReload, svc.ExecReload)
	default:
		s.restart(j)
	}
}
