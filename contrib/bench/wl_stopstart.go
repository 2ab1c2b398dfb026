//go:build linux

package main

import (
	"fmt"
	"time"
)

// stopStartWorkload: a stopped program is started through the API and
// stopped at once, k times; how many of those stops needed SIGKILL (the
// stop signal was lost), with a 1 s stop timeout so a lost signal costs
// little.
func (b *bench) stopStartWorkload() {
	k := b.sz.StopStarts
	w := fmt.Sprintf("stop right after start, %d times", k)
	m := measure{w, "stops that needed SIGKILL", "count", "0"}
	mt := measure{w, "start + stop, API", "ms", ""}
	b.rounds(b.sz.Rounds, w, []measure{m, mt}, nil, func(s system) error { return b.stopStartOnce(s, k, m, mt) })
}

func (b *bench) stopStartOnce(s system, k int, m, mt measure) error {
	if err := s.api(); err != nil {
		return err
	}
	p := prog{Name: "target", Argv: []string{sleepPath, "infinity"}, StopWait: time.Second}
	return b.withManager(s, "stopstart", []prog{p}, func(in instance) error {
		killed := 0
		var times []float64
		for range k {
			t0 := time.Now()
			k, err := in.startStop(b.ctx, "target")
			if err != nil {
				return err
			}
			times = append(times, float64(time.Since(t0).Microseconds())/1000)
			if k {
				killed++
			}
		}
		b.add(m, s.name(), float64(killed))
		b.add(mt, s.name(), median(times))
		return nil
	})
}
