//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// controlWorkload drives N running programs through each manager's CLI and
// API: status of all, one program's info, stop all, start all, and the API's
// latency while all start.
func (b *bench) controlWorkload() {
	n := b.sz.ControlN
	w := fmt.Sprintf("control N=%d StartSecs=0", n)
	ms := controlMeasures{
		status:  measure{w, "status of all, CLI", "s", "< 50 ms"},
		info50:  measure{w, "one program's info, API p50", "ms", ""},
		info99:  measure{w, "one program's info, API p99", "ms", "< 1 ms"},
		stop:    measure{w, "stop all, CLI", "s", "≥ 5× faster"},
		start:   measure{w, "start all, CLI", "s", "≥ 5× faster"},
		busy99:  measure{w, "API p99 during start all", "ms", ""},
		busyMax: measure{w, "API max during start all", "ms", ""},
	}
	b.rounds(b.sz.Rounds, w, ms.all(), nil, func(s system) error { return b.controlOnce(s, n, ms) })
}

type controlMeasures struct {
	status, info50, info99, stop, start, busy99, busyMax measure
}

func (c controlMeasures) all() []measure {
	return []measure{c.status, c.info50, c.info99, c.stop, c.start, c.busy99, c.busyMax}
}

// controlOnce measures one system; one without an API is not launched,
// since none of the measures would apply.
func (b *bench) controlOnce(s system, n int, ms controlMeasures) error {
	if err := s.api(); err != nil {
		return err
	}
	return b.withManager(s, "control", sleepers(n, 0), func(in instance) error {
		if err := b.ready(in, n); err != nil {
			return err
		}
		c := &controlRun{b: b, in: in, n: n, col: s.name(), ms: ms, timeout: scaled(2*time.Minute, n)}
		c.timed(ms.status, func() error { return in.cli(b.ctx, "status") })
		c.info()
		if c.timed(ms.stop, c.stopAll) && c.timed(ms.start, c.startAll) {
			c.busy()
		} else {
			b.note(c.col, []measure{ms.busy99, ms.busyMax}, na("stop all or start all failed"))
		}
		return nil
	})
}

// A controlRun is the control workload on one running manager.
type controlRun struct {
	b       *bench
	in      instance
	n       int
	col     string
	ms      controlMeasures
	timeout time.Duration // for one CLI command
}

// timed records how long f takes as m, or its error; it reports success.
func (c *controlRun) timed(m measure, f func() error) bool {
	t0 := time.Now()
	if err := f(); err != nil {
		c.b.note(c.col, []measure{m}, err)
		return false
	}
	c.b.add(m, c.col, time.Since(t0).Seconds())
	return true
}

// info times one program's info over the API, at rest.
func (c *controlRun) info() {
	lat, err := infoLatencies(c.b.ctx, c.in, "p0001", c.b.sz.InfoCalls, nil)
	if err != nil {
		c.b.note(c.col, []measure{c.ms.info50, c.ms.info99}, err)
		return
	}
	c.b.add(c.ms.info50, c.col, percentile(lat, 50))
	c.b.add(c.ms.info99, c.col, percentile(lat, 99))
}

// stopAll runs the CLI's stop all and checks that no program is left.
func (c *controlRun) stopAll() error {
	ctx, cancel := context.WithTimeout(c.b.ctx, c.timeout)
	defer cancel()
	if err := c.in.cli(ctx, "stop", "all"); err != nil {
		return err
	}
	return waitFor(c.b.ctx, 30*time.Second, 20*time.Millisecond, "no program left running", func() (bool, error) {
		k, err := countComm(os.Getpid(), sleepComm)
		return k == 0, err
	})
}

// startAll runs the CLI's start all and checks that all are RUNNING.
func (c *controlRun) startAll() error {
	ctx, cancel := context.WithTimeout(c.b.ctx, c.timeout)
	defer cancel()
	if err := c.in.cli(ctx, "start", "all"); err != nil {
		return err
	}
	return waitRunning(c.b.ctx, c.in, c.n, 30*time.Second)
}

// busy times one program's info over the API, back to back, while start
// all runs.
func (c *controlRun) busy() {
	ms := []measure{c.ms.busy99, c.ms.busyMax}
	if err := c.stopAll(); err != nil {
		c.b.note(c.col, ms, err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- c.startAll() }()
	lat, err := infoLatencies(c.b.ctx, c.in, "p0001", 0, done)
	if err != nil {
		c.b.note(c.col, ms, err)
		return
	}
	c.b.add(c.ms.busy99, c.col, percentile(lat, 99))
	c.b.add(c.ms.busyMax, c.col, percentile(lat, 100))
}

// infoLatencies times calls of one program's info, in milliseconds: count
// calls, or, with until set, calls until until delivers (its error is
// returned).
func infoLatencies(ctx context.Context, in instance, name string, count int, until <-chan error) ([]float64, error) {
	var out []float64
	for i := 0; until != nil || i < count; i++ {
		if until != nil {
			select {
			case err := <-until:
				return out, err
			default:
			}
		}
		t0 := time.Now()
		if err := in.info(ctx, name); err != nil {
			if until != nil {
				<-until
			}
			return nil, err
		}
		out = append(out, float64(time.Since(t0).Microseconds())/1000)
	}
	return out, nil
}
