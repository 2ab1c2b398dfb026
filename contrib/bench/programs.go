//go:build linux

package main

import (
	"context"
	"fmt"
	"os/exec"
	"time"
)

// sleepPath is the idle program every manager runs: coreutils' sleep.
var sleepPath = func() string {
	if p, err := exec.LookPath("sleep"); err == nil {
		return p
	}
	return "/bin/sleep"
}()

// sleepComm is its command name in /proc, once exec'd.
const sleepComm = "sleep"

// sleepers are n idle programs p0001… that start with the manager.
func sleepers(n, startSecs int) []prog {
	out := make([]prog, n)
	for i := range out {
		out[i] = prog{Name: fmt.Sprintf("p%04d", i+1), Argv: []string{sleepPath, "infinity"}, StartSecs: startSecs, Autostart: true}
	}
	return out
}

// deafen makes k of progs, spread evenly, ignore SIGTERM (the harness's
// deaf child execs the program with SIGTERM ignored), and returns progs.
func (b *bench) deafen(progs []prog, k int) []prog {
	for i := range k {
		p := &progs[(i+1)*len(progs)/k-1]
		p.Argv = append([]string{b.self, childArg, "deaf"}, p.Argv...)
	}
	return progs
}

// waitExecd waits until the harness has n descendants running sleep, so
// it counts programs of whichever manager runs now (one at a time).
func (b *bench) waitExecd(ctx context.Context, n int, within time.Duration) error {
	w := newExecWatch(sleepComm, "s6-supervise", "runsv")
	return waitFor(ctx, within, pollEvery(n), fmt.Sprintf("%d programs to exec %s", n, sleepComm), func() (bool, error) {
		k, err := w.count()
		return k >= n, err
	})
}

// waitRunning waits until the manager's own status shows n programs
// RUNNING; an n/a error says the manager cannot tell. Asking a manager
// for the state of a thousand programs is work for it, so the polls are
// sparser then.
func waitRunning(ctx context.Context, in instance, n int, within time.Duration) error {
	every := 20 * time.Millisecond
	if n >= 500 {
		every = 100 * time.Millisecond
	}
	return waitFor(ctx, within, every, fmt.Sprintf("%d programs RUNNING", n), func() (bool, error) {
		k, err := in.running(ctx)
		return k >= n, err
	})
}

// pollEvery is how often to scan /proc while waiting for n programs: a scan
// of a thousand processes costs milliseconds of the CPU the managers need.
func pollEvery(n int) time.Duration {
	if n >= 500 {
		return 50 * time.Millisecond
	}
	return 5 * time.Millisecond
}

// scaled is a deadline for work on n programs.
func scaled(base time.Duration, n int) time.Duration {
	return base + time.Duration(n)*100*time.Millisecond
}

// pause waits d unless the run is interrupted: for measurement windows
// only, never to wait for something to happen.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// settle waits, for systems made of several processes, until all of them
// run, so that own() lists them all.
func settle(ctx context.Context, in instance) error {
	if s, ok := in.(interface{ settle(context.Context) error }); ok {
		return s.settle(ctx)
	}
	return nil
}
