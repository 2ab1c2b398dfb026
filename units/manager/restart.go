package manager

import (
	"fmt"
	"math"
	"syscall"
	"time"

	"svunit.dev/svunit/units"
)

// stableRun is how long a run must last for the growing restart delay to
// start again from RestartSec.
const stableRun = 10 * time.Second

// shouldRestart applies Restart= and the exit-status overrides to an exit
// after Running, as systemd's table does.
func (s *service) shouldRestart(e ExitInfo) bool {
	svc := &s.u.Service
	if s.m.shutting.Load() || s.removed != nil {
		return false
	}
	if inSet(svc.RestartPreventExitStatus, e) {
		return false
	}
	if inSet(svc.RestartForceExitStatus, e) {
		return true
	}
	clean := e.Success(s.u)
	uncleanSignal := !clean && (e.Code == "killed" || e.Code == "dumped")
	switch svc.Restart {
	case units.RestartAlways:
		return true
	case units.RestartOnSuccess:
		return clean
	case units.RestartOnFailure, "":
		return !clean
	case units.RestartOnAbnormal, units.RestartOnAbort:
		return uncleanSignal
	}
	return false // no, on-watchdog (there is no watchdog)
}

func inSet(set units.ExitStatusSet, e ExitInfo) bool {
	switch e.Code {
	case "exited":
		return set.HasCode(e.Status)
	case "killed", "dumped":
		return set.HasSignal(e.Signal)
	}
	return false
}

// restartDelay is the delay before automatic restart number step+1 (step
// counts from 0): RestartSec first, then growing exponentially over
// RestartSteps steps up to RestartMaxDelaySec, as systemd does. Growth
// starts from 100ms when RestartSec is 0, so a crash loop never spins.
func restartDelay(svc *units.Service, step int) time.Duration {
	base, max, steps := svc.RestartSec, svc.RestartMaxDelaySec, svc.RestartSteps
	if step == 0 || steps <= 0 || max <= base {
		return base
	}
	if max == units.Infinity {
		max = time.Hour
	}
	if step >= steps {
		return max
	}
	lo := base
	if lo < 100*time.Millisecond {
		lo = 100 * time.Millisecond
	}
	f := math.Pow(float64(max)/float64(lo), float64(step)/float64(steps))
	return time.Duration(float64(lo) * f)
}

// startLimitHit records a start attempt and reports why it is refused when
// more than StartLimitBurst happened within StartLimitIntervalSec ("" when
// allowed). Backoff retries count too, as in systemd.
func (s *service) startLimitHit() string {
	svc := &s.u.Service
	burst, within := svc.StartLimitBurst, svc.StartLimitInterval
	if burst <= 0 || within <= 0 {
		return ""
	}
	t := time.Now()
	keep := s.startTimes[:0]
	for _, st := range s.startTimes {
		if t.Sub(st) < within {
			keep = append(keep, st)
		}
	}
	s.startTimes = keep
	if len(s.startTimes) >= burst {
		return fmt.Sprintf("start limit hit: %d starts within StartLimitIntervalSec=%s (StartLimitBurst=%d); run reset-failed or wait", len(s.startTimes), within, burst)
	}
	s.startTimes = append(s.startTimes, t)
	return ""
}

// sigName returns "SIGTERM" for syscall.SIGTERM.
func sigName(sig syscall.Signal) string {
	if n := signalName(sig); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(sig))
}
