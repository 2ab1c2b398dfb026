//go:build linux

package main

import (
	"fmt"
	"os"
	"time"
)

// shutdownWorkload: N programs run, each with the same stop timeout; the
// manager is told to shut down its own way (SIGTERM; s6-svscanctl -t;
// runit's sv force-shutdown and SIGHUP) and the clock stops when it has
// exited and no program is left. In the second case some programs ignore
// SIGTERM, so the slowest program takes the stop timeout and a SIGKILL:
// a manager that stops its programs in parallel takes about one stop
// timeout, one that stops them in turn takes one per deaf program.
func (b *bench) shutdownWorkload() {
	n, wait := b.sz.ShutdownN, b.sz.StopTimeout
	for _, deaf := range []int{0, b.sz.ShutdownDeaf} {
		w := fmt.Sprintf("shutdown N=%d, stop timeout %v", n, wait)
		m := measure{w, "SIGTERM to all gone", "s", fmt.Sprintf("≤ one stop timeout (%v)", wait)}
		if deaf > 0 {
			w += fmt.Sprintf(", %d ignore SIGTERM", deaf)
			m = measure{w, "SIGTERM to all gone", "s", fmt.Sprintf("≤ one stop timeout (%v) + %v", wait, shutdownSlack)}
		}
		progs := b.deafen(sleepers(n, 0), deaf)
		for i := range progs {
			progs[i].StopWait = wait
		}
		b.rounds(b.sz.roundsOf(b.sz.ShutdownRounds), w, []measure{m}, nil, func(s system) error { return b.shutdownOnce(s, progs, m) })
	}
}

// shutdownSlack is what the target allows beyond the slowest program's own
// stop: signalling, reaping and exiting, not a second stop timeout.
const shutdownSlack = 250 * time.Millisecond

func (b *bench) shutdownOnce(s system, progs []prog, m measure) error {
	return b.withManager(s, "shutdown", progs, func(in instance) error {
		if err := b.ready(in, len(progs)); err != nil {
			return err
		}
		t0 := time.Now()
		if err := in.terminate(); err != nil {
			return err
		}
		err := waitFor(b.ctx, scaled(5*time.Minute, 10*len(progs)), 5*time.Millisecond, "the manager to exit and its programs to be gone", func() (bool, error) {
			select {
			case <-in.exited():
			default:
				return false, nil
			}
			k, err := countComm(os.Getpid(), sleepComm)
			return k == 0, err
		})
		if err != nil {
			return err
		}
		b.add(m, s.name(), time.Since(t0).Seconds())
		return nil
	})
}

// ready waits until n programs have exec'd and, when the manager can tell,
// are RUNNING by its status.
func (b *bench) ready(in instance, n int) error {
	if err := b.waitExecd(b.ctx, n, scaled(60*time.Second, n)); err != nil {
		return err
	}
	err := waitRunning(b.ctx, in, n, scaled(60*time.Second, n))
	if _, isna := isNA(err); isna {
		return nil
	}
	return err
}
