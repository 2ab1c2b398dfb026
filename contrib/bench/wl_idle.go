//go:build linux

package main

import (
	"context"
	"fmt"
	"time"
)

// idleWorkload: N programs run and nothing happens. The manager's memory
// (RSS and PSS, summed over its own processes, not the programs), and its
// CPU time and context switches over the window: each switch is a sleep or
// a preemption, so on an idle machine they count its wake-ups.
func (b *bench) idleWorkload() {
	base := map[string]float64{} // column → PSS with no programs, this round
	for r := range b.sz.roundsOf(b.sz.IdleRounds) {
		for _, n := range b.sz.IdleN {
			w := fmt.Sprintf("idle N=%d", n)
			ms := idleMeasures{
				rss:    measure{w, "RSS", "MB", ""},
				pss:    measure{w, "PSS", "MB", "≤ 1/3 of supervisord's"},
				cpu:    measure{w, fmt.Sprintf("CPU over %v", b.sz.IdleWindow), "ms/s", "0"},
				wakeup: measure{w, "wake-ups", "/s", "0 (no periodic wake-ups)"},
			}
			if n > 0 {
				ms.perProg = measure{w, "PSS per program, over N=0", "kB", "~10 kB"}
			}
			b.logf("%s, round %d", w, r+1)
			b.round(r, ms.all(), nil, func(s system) error { return b.idleOnce(s, n, ms, base) })
		}
	}
}

type idleMeasures struct {
	rss, pss, cpu, wakeup, perProg measure
}

func (m idleMeasures) all() []measure {
	out := []measure{m.rss, m.pss, m.cpu, m.wakeup}
	if m.perProg.metric != "" {
		out = append(out, m.perProg)
	}
	return out
}

func (b *bench) idleOnce(s system, n int, ms idleMeasures, base map[string]float64) error {
	return b.withManager(s, fmt.Sprintf("idle%d", n), sleepers(n, 0), func(in instance) error {
		if err := b.ready(in, n); err != nil {
			return err
		}
		if err := pause(b.ctx, b.sz.IdleSettle); err != nil { // let start-up work finish: part of the measure's design
			return err
		}
		own, cpu0, cs0, err := ownUsage(b.ctx, in)
		if err != nil {
			return err
		}
		mem, err := sumMemory(own)
		if err != nil {
			return err
		}
		t0 := time.Now()
		if err := pause(b.ctx, b.sz.IdleWindow); err != nil { // the measurement window
			return err
		}
		cpu1, cs1, err := usage(own)
		if err != nil {
			return err
		}
		secs := time.Since(t0).Seconds()
		col := s.name()
		b.add(ms.rss, col, float64(mem.RSS)/1024)
		b.add(ms.pss, col, float64(mem.PSS)/1024)
		b.add(ms.cpu, col, float64(cpu1-cpu0)*1000/clockTicks/secs)
		b.add(ms.wakeup, col, float64(cs1-cs0)/secs)
		if n == 0 {
			base[col] = float64(mem.PSS)
		} else if p0, ok := base[col]; ok && ms.perProg.metric != "" {
			b.add(ms.perProg, col, (float64(mem.PSS)-p0)/float64(n))
		}
		return nil
	})
}

// sumMemory sums the memory of procs.
func sumMemory(procs []proc) (memory, error) {
	var sum memory
	for _, p := range procs {
		m, err := readMemory(p.PID)
		if err != nil {
			return memory{}, fmt.Errorf("memory of %v: %v", p, err)
		}
		sum.RSS += m.RSS
		sum.PSS += m.PSS
	}
	return sum, nil
}

// ownUsage waits until all of the manager's own processes run, and returns
// them with their CPU ticks and context switches so far.
func ownUsage(ctx context.Context, in instance) (own []proc, cpu, switches uint64, err error) {
	if err := settle(ctx, in); err != nil {
		return nil, 0, 0, err
	}
	if own, err = in.own(); err != nil {
		return nil, 0, 0, err
	}
	cpu, switches, err = usage(own)
	return own, cpu, switches, err
}

// usage sums the CPU ticks and context switches of procs.
func usage(procs []proc) (cpu, switches uint64, err error) {
	for _, p := range procs {
		st, err := readStat(p.PID)
		if err != nil || st.StartTime != p.Start {
			return 0, 0, fmt.Errorf("%v exited during the idle measure", p)
		}
		cs, err := ctxSwitches(p.PID)
		if err != nil {
			return 0, 0, fmt.Errorf("context switches of %v: %v", p, err)
		}
		cpu += st.CPUTicks
		switches += cs
	}
	return cpu, switches, nil
}
