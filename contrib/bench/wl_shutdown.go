//go:build linux

package main

import (
	"fmt"
	"os"
	"time"
)

// shutdownWorkload: N programs run; the manager is told to shut down its
// own way (SIGTERM; s6-svscanctl -t; runit's sv force-shutdown and SIGHUP)
// and the clock stops when it has exited and no program is left.
func (b *bench) shutdownWorkload() {
	n := b.sz.ShutdownN
	w := fmt.Sprintf("shutdown N=%d", n)
	m := measure{w, "SIGTERM to all gone", "s", "≤ one stop timeout (10 s)"}
	for r := range b.sz.Rounds {
		b.logf("%s, round %d", w, r+1)
		b.round(r, []measure{m}, nil, func(s system) error { return b.shutdownOnce(s, n, m) })
	}
}

func (b *bench) shutdownOnce(s system, n int, m measure) error {
	dir, err := b.workdir("shutdown-" + s.name())
	if err != nil {
		return err
	}
	defer b.discard(dir)
	in, err := s.launch(b.ctx, dir, sleepers(n, 0))
	if err != nil {
		return err
	}
	defer in.close()
	if err := b.ready(in, n); err != nil {
		return err
	}
	t0 := time.Now()
	if err := in.terminate(); err != nil {
		return err
	}
	err = waitFor(b.ctx, scaled(5*time.Minute, 10*n), 5*time.Millisecond, "the manager to exit and its programs to be gone", func() (bool, error) {
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
