package manager

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"svunit.dev/svunit/units"
)

// start handles a start job: from an idle state it spawns; while starting
// the job waits with the others; a running unit is done at once.
func (s *service) start(j *Job) {
	switch s.state {
	case Running:
		s.endJob(j, JobDone, "")
		return
	case Starting:
		s.startJobs = append(s.startJobs, j)
		return
	case Stopping:
		s.wantStart = true
		s.startJobs = append(s.startJobs, j)
		return
	}
	if s.state == Fatal || s.state == Exited {
		s.backoffs = 0 // starting again clears FATAL
	}
	s.restartPending = false
	s.restartStep = 0
	s.startJobs = append(s.startJobs, j)
	s.execIndex = 0
	s.spawnMain(false)
}

// spawnMain begins a run: it moves to Starting, runs ExecStartPre= and
// forks the current ExecStart= line. A spawn error counts as an early exit
// (Backoff, then Fatal). restart says that this is an automatic restart,
// counted in NRestarts.
func (s *service) spawnMain(restart bool) {
	defer s.takeSpawnSlot()()
	s.clearTimer()
	if reason := s.startLimitHit(); reason != "" {
		s.result = ResultStartLimit
		s.move(Fatal)
		s.cancelJobs(&s.startJobs, JobFailed, reason)
		return
	}
	if restart {
		s.nRestarts++
	}
	cg, err := s.m.cg.unitDir(s.name)
	if err != nil {
		s.m.logf("%s: cgroup: %v (using the process group)", s.name, err)
	}
	s.proc = procGroup{invocation: newInvocationID(), cgroup: cg}
	s.spawnErr, s.statusText, s.killing, s.result = "", "", false, ResultSuccess
	svc := &s.u.Service
	if len(svc.ExecStart) == 0 {
		s.move(Starting)
		s.earlyFailure(ResultResources, "no ExecStart= line", true)
		return
	}
	if s.execIndex == 0 && len(svc.ExecStartPre) > 0 {
		s.move(Starting)
		s.runControl(ctrlStartPre, svc.ExecStartPre)
		return
	}
	s.forkMain()
}

// forkMain forks the current ExecStart= line as the run's main process.
func (s *service) forkMain() {
	svc := &s.u.Service
	extra := []string{"INVOCATION_ID=" + s.proc.invocation}
	if svc.Type == units.Notify {
		extra = append(extra, "NOTIFY_SOCKET="+s.m.notify.addr())
	}
	pid, err := s.spawnCmd(svc.ExecStart[s.execIndex], extra)
	for _, j := range s.startJobs {
		j.ackPost() // the fork is done: the request may post its next start
	}
	if err != nil {
		s.spawnErr = err.Error()
		s.m.logf("%s: cannot spawn: %v", s.name, err)
		s.move(Starting)
		s.earlyFailure(ResultResources, "spawn failed: "+err.Error(), false)
		return
	}
	s.proc.main, s.proc.last, s.proc.pgid = pid, pid, pid
	s.out.Load().setPID(pid)
	s.ts.MainStart = now()
	s.move(Starting) // after the fork, so that the STARTING event has the pid
	s.armStart()
}

// spawnCmd forks cmd as a process of the current run: its cgroup, its
// output, its environment plus extra.
func (s *service) spawnCmd(cmd units.Command, extra []string) (int, error) {
	defer s.takeSpawnSlot()()
	stdout, stderr := s.out.Load().files()
	spec, err := prepare(s.u, cmd, stdout, stderr, extra)
	if err != nil {
		return 0, err
	}
	spec.cgroup = s.proc.cgroup
	var pid int
	if spec.needsOwnContext() {
		pid, err = s.m.reaper.spawnExclusive(s, spec.forkInContext)
	} else {
		pid, err = s.m.reaper.spawn(s, spec.fork)
	}
	if err != nil {
		return 0, spec.describe(err)
	}
	return pid, nil
}

// takeSpawnSlot waits for one of the process's few spawn slots and returns
// its release; a service that holds one already (spawnMain forking its
// ExecStart= line) gets a no-op. A mass start readies every unit's
// goroutine at once; bounded this way, each of them runs a moment and
// parks here, so the run queue stays short and an API call waits behind
// a few spawns instead of hundreds.
func (s *service) takeSpawnSlot() (release func()) {
	if s.holdsSlot {
		return func() {}
	}
	slots := s.m.reaper.slots
	slots <- struct{}{}
	s.holdsSlot = true
	return func() {
		s.holdsSlot = false
		<-slots
	}
}

// armStart sets up the start criterion of the unit's type.
func (s *service) armStart() {
	svc := &s.u.Service
	switch svc.Type {
	case units.Notify, units.Forking, units.Oneshot:
		if d := svc.TimeoutStartSec; d > 0 && d != units.Infinity {
			s.setTimer(d, timerStartTimeout)
		}
	default:
		if svc.StartSecs <= 0 {
			s.started()
			return
		}
		s.setTimer(svc.StartSecs, timerStartSecs)
	}
}

// started is the start criterion met: ExecStartPost= runs, then the unit
// is up.
func (s *service) started() {
	if s.ctrl.phase == ctrlStartPost {
		return // a second READY=1: the post commands already run
	}
	if post := s.u.Service.ExecStartPost; len(post) > 0 {
		s.runControl(ctrlStartPost, post)
		return
	}
	s.up()
}

// up ends a successful start: Running, or Exited for a oneshot.
func (s *service) up() {
	if s.u.Service.Type != units.Oneshot {
		s.becomeRunning()
		return
	}
	s.clearTimer()
	s.result = ResultSuccess
	s.backoffs = 0
	s.move(Exited)
	s.cancelJobs(&s.startJobs, JobDone, "")
}

// becomeRunning marks the start as successful.
func (s *service) becomeRunning() {
	s.clearTimer()
	s.result = ResultSuccess
	s.backoffs = 0
	s.move(Running)
	s.runningSince = time.Now()
	s.cancelJobs(&s.startJobs, JobDone, "")
}

// earlyFailure handles a start that did not reach Running: Supervisor's
// BACKOFF, then FATAL after StartRetries. The n-th retry waits n steps of
// max(StartSecs, RestartSec): 1s, 2s, 3s with the defaults, as Supervisor
// does. final skips the retries (nothing would change on a retry).
func (s *service) earlyFailure(r Result, reason string, final bool) {
	s.result = r
	s.backoffs++
	retries := s.u.Service.StartRetries
	if final || s.backoffs > retries || s.m.shutting.Load() {
		s.move(Fatal)
		s.cancelJobs(&s.startJobs, JobFailed, fmt.Sprintf("%s (gave up after %d attempts)", reason, s.backoffs))
		return
	}
	s.move(Backoff)
	step := max(s.u.Service.StartSecs, s.u.Service.RestartSec)
	s.setTimer(time.Duration(s.backoffs)*step, timerRetry)
}

// onExit handles the exit of a process of this unit.
func (s *service) onExit(pid int, ws syscall.WaitStatus) {
	if pid == s.ctrl.pid && pid != 0 {
		s.onControlExit(pid, ws)
		return
	}
	if pid != s.proc.main {
		return // a forgotten control process, or a main pid replaced by MAINPID=
	}
	e := exitInfo(pid, ws)
	s.lastExit = e
	s.proc.main = 0
	s.out.Load().setPID(0)
	defer s.closeRetired()
	defer func() { s.proc.last = 0 }() // its pid may be reused from now on
	switch s.state {
	case Stopping:
		if s.ctrl.phase != ctrlStop { // else the end of ExecStop= completes the stop
			s.mainGone()
		}
	case Starting:
		s.exitWhileStarting(e)
	case Running:
		s.exitWhileRunning(e)
	default:
		s.m.logf("%s: pid %d exited (%s) in state %s", s.name, pid, e, s.state)
	}
}

// exitWhileStarting decides what an exit before Running means for the
// unit's type: the end of a oneshot or of a forking parent, or a failure.
func (s *service) exitWhileStarting(e ExitInfo) {
	svc := &s.u.Service
	ok := e.Success(s.u) || svc.ExecStart[s.execIndex].IgnoreFailure
	switch {
	case svc.Type == units.Oneshot && ok:
		if s.execIndex++; s.execIndex < len(svc.ExecStart) {
			s.forkMain()
			return
		}
		s.started()
	case svc.Type == units.Forking && ok:
		s.adoptDaemon()
	case s.result == ResultTimeout:
		s.killControl()
		s.killLeftovers()
		s.earlyFailure(ResultTimeout, "not started within TimeoutStartSec", false)
	default:
		s.killControl()
		s.killLeftovers()
		s.earlyFailure(e.result(), "exited before it was started: "+e.String(), false)
	}
}

// adoptDaemon finds the process a forking service left running: the pid in
// PIDFile=, or the one orphan of this run the manager inherited.
func (s *service) adoptDaemon() {
	pid, err := s.daemonPID()
	if err == nil {
		s.m.reaper.adopt(pid, s)
		// Adopt before checking that it still lives: an exit after adopt
		// is routed here; one before is seen now.
		if syscall.Kill(pid, 0) != nil {
			err = fmt.Errorf("daemon pid %d exited at once", pid)
		}
	}
	if err != nil {
		s.earlyFailure(ResultProtocol, "Type=forking: "+err.Error(), false)
		return
	}
	s.proc.main, s.proc.last = pid, pid
	s.out.Load().setPID(pid)
	s.started()
}

func (s *service) daemonPID() (int, error) {
	if f := s.u.Service.PIDFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, fmt.Errorf("PIDFile=%s: %v", f, err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 1 {
			return 0, fmt.Errorf("PIDFile=%s: no pid in it", f)
		}
		if !slices.Contains(members(s.proc, s.m.reaper), pid) {
			return 0, fmt.Errorf("PIDFile=%s names pid %d, which is not a process of this unit", f, pid)
		}
		return pid, nil
	}
	var found []int
	for _, pid := range members(s.proc, s.m.reaper) {
		if ppidOf(pid) == os.Getpid() {
			found = append(found, pid)
		}
	}
	if len(found) != 1 {
		return 0, fmt.Errorf("found %d daemon processes; set PIDFile=", len(found))
	}
	return found[0], nil
}

// exitWhileRunning applies Restart= to an exit after Running.
func (s *service) exitWhileRunning(e ExitInfo) {
	s.killControl()
	s.killLeftovers()
	if e.Success(s.u) {
		s.result = ResultSuccess
	} else {
		s.result = e.result()
	}
	s.restartPending = s.shouldRestart(e)
	s.move(Exited)
	if !s.restartPending {
		return
	}
	if time.Since(s.runningSince) >= stableRun {
		s.restartStep = 0
	}
	d := restartDelay(&s.u.Service, s.restartStep)
	s.restartStep++
	if d <= 0 {
		s.retry() // RestartSec=0: no timer round trip
		return
	}
	s.setTimer(d, timerRetry)
}

// onTimer handles the timer of kind k.
func (s *service) onTimer(k timerKind) {
	s.timer = nil
	switch k {
	case timerStartSecs:
		if s.state == Starting {
			s.started()
		}
	case timerStartTimeout:
		if s.state == Starting {
			s.result = ResultTimeout
			s.signal(syscall.SIGKILL, true)
			s.cancelJobs(&s.startJobs, JobTimeout, "not started within TimeoutStartSec")
		}
	case timerRetry:
		s.retry()
	case timerStopTimeout:
		s.stopTimeout()
	case timerLeftovers:
		s.checkLeftovers()
	}
}

// retry starts again after BACKOFF or for an automatic restart.
func (s *service) retry() {
	if s.state == Backoff || s.state == Exited && s.restartPending {
		restart := s.state == Exited
		s.restartPending = false
		s.execIndex = 0
		s.spawnMain(restart)
	}
}

// onNotify applies an sd_notify message from a process of this unit.
func (s *service) onNotify(pid int, f map[string]string) {
	if v, ok := f["STATUS"]; ok {
		s.statusText = v
	}
	if v, ok := f["MAINPID"]; ok {
		s.moveMain(v)
	}
	if f["READY"] == "1" && s.state == Starting && s.u.Service.Type == units.Notify {
		s.started()
	}
}

// moveMain applies MAINPID=: the new main process must be one of the
// unit's own, so a unit cannot make the manager signal someone else's.
func (s *service) moveMain(v string) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 1 || n == s.proc.main || s.proc.main == 0 || !slices.Contains(members(s.proc, s.m.reaper), n) {
		s.m.logf("%s: MAINPID=%s ignored: not a process of this unit", s.name, v)
		return
	}
	s.m.reaper.adopt(n, s)
	s.proc.main, s.proc.last = n, n
	s.out.Load().setPID(n)
}

// resetFailed clears FATAL and the failure result and counters. The result
// is cleared first, so that the snapshot move publishes is not "failed".
func (s *service) resetFailed() {
	s.backoffs, s.nRestarts, s.restartStep, s.startTimes = 0, 0, 0, nil
	fatal := s.state == Fatal || s.state == Unknown
	if fatal || s.state == Stopped || s.state == Exited && !s.restartPending {
		s.result = ResultSuccess
	}
	if fatal {
		s.move(Stopped)
	}
}
