package api

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// manyUnits is a unit directory of n instances of a template that runs
// /bin/sleep.
func manyUnits(n int) map[string]string {
	return map[string]string{"w@.unit": fmt.Sprintf("[Unit]\nGroups=many\n[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\nInstances=%d\n", n)}
}

// BenchmarkGetAll measures one unit's Properties.GetAll over the bus,
// against the floor of a bus round trip (Peer.Ping) in the same run.
func BenchmarkGetAll(b *testing.B) {
	h := newHarness(b, map[string]string{"web.unit": helperUnit("sleep", "")})
	c := h.rawConn()
	unit := c.Object(SystemdName, UnitPath("web.unit"))
	ping := time.Duration(0)
	b.Run("Ping", func(b *testing.B) {
		for b.Loop() {
			if err := unit.Call(ifacePeer+".Ping", 0).Err; err != nil {
				b.Fatal(err)
			}
		}
		ping = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("GetAll", func(b *testing.B) {
		for b.Loop() {
			var props map[string]dbus.Variant
			if err := unit.Call(ifaceProperties+".GetAll", 0, "").Store(&props); err != nil {
				b.Fatal(err)
			}
		}
		if ping > 0 {
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(ping), "x-ping")
		}
	})
}

// BenchmarkStatus1000 measures what 'svunit status' asks for 1000 units:
// one ListUnitsStatus call.
func BenchmarkStatus1000(b *testing.B) {
	h := newHarness(b, manyUnits(1000))
	if _, err := h.m.Start("all"); err != nil {
		b.Fatal(err)
	}
	h.waitFor("1000 units running", func() bool { return countActive(h) == 1000 })
	c := h.rawConn()
	mgr := c.Object(SvunitName, ManagerPath)
	for b.Loop() {
		var out []UnitStatus
		if err := mgr.Call(ifaceSvunitManager+".ListUnitsStatus", 0, []string{}).Store(&out); err != nil || len(out) != 1000 {
			b.Fatalf("%d units, %v", len(out), err)
		}
	}
}

func countActive(h *harness) int {
	n := 0
	for _, s := range h.m.Units() {
		if s.ActiveState == "active" {
			n++
		}
	}
	return n
}

// BenchmarkLatencyDuringMassStart measures GetAll latency while 1000 units
// start, against the same calls on an idle manager: p99 in ms, and the
// ratio of the two.
func BenchmarkLatencyDuringMassStart(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		h := newHarness(b, manyUnits(1000))
		c := h.rawConn()
		unit := c.Object(SystemdName, UnitPath("w@500.unit"))
		idle := sampleLatency(unit, 200, nil)
		stop := make(chan struct{})
		var busy []time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); busy = sampleLatency(unit, 0, stop) }()
		b.StartTimer()
		if _, err := h.m.Start("all"); err != nil {
			b.Fatal(err)
		}
		h.waitFor("1000 units running", func() bool { return countActive(h) == 1000 })
		b.StopTimer()
		close(stop)
		wg.Wait()
		b.ReportMetric(ms(p99(busy)), "p99-ms")
		b.ReportMetric(ms(p99(idle)), "idle-p99-ms")
		b.ReportMetric(float64(len(busy)), "calls")
		if p99(idle) > 0 {
			b.ReportMetric(float64(p99(busy))/float64(p99(idle)), "x-idle")
		}
		b.StartTimer()
	}
}

// sampleLatency times GetAll calls: n of them, or until stop is closed.
func sampleLatency(o dbus.BusObject, n int, stop chan struct{}) []time.Duration {
	var out []time.Duration
	for i := 0; n == 0 || i < n; i++ {
		select {
		case <-stop:
			return out
		default:
		}
		t := time.Now()
		o.Call(ifaceProperties+".GetAll", 0, "")
		out = append(out, time.Since(t))
	}
	return out
}

func p99(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*99/100]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
