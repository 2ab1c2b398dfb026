//go:build linux

package main

import (
	"context"
	"fmt"
	"time"
)

// launchWorkload: the manager starts with N programs enabled; how long
// until all have exec'd (seen in /proc) and until its status calls them
// all RUNNING. The floor is fork/exec of the same programs from Go.
func (b *bench) launchWorkload() {
	for _, n := range b.sz.LaunchN {
		for _, ss := range b.sz.StartSecs {
			w := fmt.Sprintf("launch N=%d StartSecs=%d", n, ss)
			mExec := measure{w, "all exec'd, from /proc", "s", "≥ 10× faster; ≤ 2× floor"}
			mRun := measure{w, "all RUNNING, by its status", "s", "≥ 10× faster"}
			var floor func() error
			if ss == 0 {
				floor = func() error {
					d, err := floorSpawn(n)
					if err == nil {
						b.add(mExec, colFloor, d.Seconds())
					}
					return err
				}
			}
			b.rounds(b.sz.Rounds, w, []measure{mExec, mRun}, floor, func(s system) error {
				return b.inWorkdir("launch-"+s.name(), func(dir string) error { return b.launchOnce(s, dir, n, ss, mExec, mRun) })
			})
		}
	}
}

func (b *bench) launchOnce(s system, dir string, n, ss int, mExec, mRun measure) error {
	// Watch /proc from before the manager starts: it may exec everything
	// before its API answers.
	execd := make(chan error, 1)
	var tExec time.Time
	watch, stop := context.WithCancel(b.ctx)
	defer stop()
	go func() {
		err := b.waitExecd(watch, n, scaled(60*time.Second, n))
		tExec = time.Now()
		execd <- err
	}()
	t0 := time.Now()
	in, err := s.launch(b.ctx, dir, sleepers(n, ss))
	if err != nil {
		stop()
		<-execd
		return err
	}
	defer in.close()
	if err := <-execd; err != nil {
		return err
	}
	b.add(mExec, s.name(), tExec.Sub(t0).Seconds())
	err = waitRunning(b.ctx, in, n, scaled(60*time.Second, n))
	if err == nil {
		b.add(mRun, s.name(), time.Since(t0).Seconds())
	}
	b.note(s.name(), []measure{mRun}, err)
	return nil
}
