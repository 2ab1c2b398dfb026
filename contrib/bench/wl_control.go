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
	for r := range b.sz.Rounds {
		b.logf("%s, round %d", w, r+1)
		b.round(r, ms.all(), nil, func(s system) error { return b.controlOnce(s, n, ms) })
	}
}

type controlMeasures struct {
	status, info50, info99, stop, start, busy99, busyMax measure
}

func (c controlMeasures) all() []measure {
	return []measure{c.status, c.info50, c.info99, c.stop, c.start, c.busy99, c.busyMax}
}

func (b *bench) controlOnce(s system, n int, ms controlMeasures) error {
	dir, err := b.workdir("control-" + s.name())
	if err != nil {
		return err
	}
	defer b.discard(dir)
	in, err := s.launch(b.ctx, dir, sleepers(n, 0))
	if err != nil {
		return err
	}
	defer in.close()
	if err := b.waitExecd(b.ctx, n, scaled(60*time.Second, n)); err != nil {
		return err
	}
	if err := waitRunning(b.ctx, in, n, scaled(60*time.Second, n)); err != nil {
		return err
	}
	col := s.name()
	cliTimeout := scaled(2*time.Minute, n)

	t0 := time.Now()
	if err := in.cli(b.ctx, "status"); err != nil {
		b.note(col, []measure{ms.status}, err)
	} else {
		b.add(ms.status, col, time.Since(t0).Seconds())
	}

	lat, err := infoLatencies(b.ctx, in, "p0001", b.sz.InfoCalls, nil)
	if err != nil {
		b.note(col, []measure{ms.info50, ms.info99}, err)
	} else {
		b.add(ms.info50, col, percentile(lat, 50))
		b.add(ms.info99, col, percentile(lat, 99))
	}

	stopAll := func() error {
		ctx, cancel := context.WithTimeout(b.ctx, cliTimeout)
		defer cancel()
		if err := in.cli(ctx, "stop", "all"); err != nil {
			return err
		}
		return waitFor(b.ctx, 30*time.Second, 20*time.Millisecond, "no program left running", func() (bool, error) {
			k, err := countComm(os.Getpid(), sleepComm)
			return k == 0, err
		})
	}
	startAll := func() error {
		ctx, cancel := context.WithTimeout(b.ctx, cliTimeout)
		defer cancel()
		if err := in.cli(ctx, "start", "all"); err != nil {
			return err
		}
		return waitRunning(b.ctx, in, n, 30*time.Second)
	}
	t0 = time.Now()
	if err := stopAll(); err != nil {
		b.note(col, []measure{ms.stop, ms.start, ms.busy99, ms.busyMax}, err)
		return nil
	}
	b.add(ms.stop, col, time.Since(t0).Seconds())
	t0 = time.Now()
	if err := startAll(); err != nil {
		b.note(col, []measure{ms.start, ms.busy99, ms.busyMax}, err)
		return nil
	}
	b.add(ms.start, col, time.Since(t0).Seconds())

	// The API's latency while all programs start.
	if err := stopAll(); err != nil {
		b.note(col, []measure{ms.busy99, ms.busyMax}, err)
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- startAll() }()
	lat, err = infoLatencies(b.ctx, in, "p0001", 0, done)
	if err != nil {
		b.note(col, []measure{ms.busy99, ms.busyMax}, err)
		return nil
	}
	b.add(ms.busy99, col, percentile(lat, 99))
	b.add(ms.busyMax, col, percentile(lat, 100))
	return nil
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
