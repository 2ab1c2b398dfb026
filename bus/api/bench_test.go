package api

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units/manager"
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
	h.waitAllActive(1000)
	c := h.rawConn()
	mgr := c.Object(SvunitName, ManagerPath)
	for b.Loop() {
		var out []UnitStatus
		if err := mgr.Call(ifaceSvunitManager+".ListUnitsStatus", 0, []string{}).Store(&out); err != nil || len(out) != 1000 {
			b.Fatalf("%d units, %v", len(out), err)
		}
	}
}

// waitAllActive waits until n units are active, counting from the
// manager's events (a scan of every unit per event would itself load the
// machine the benchmark measures).
func (h *harness) waitAllActive(n int) {
	h.t.Helper()
	sub := h.m.Subscribe()
	defer sub.Close()
	active := map[string]bool{}
	for _, s := range h.m.Units() {
		active[s.Unit.Name] = s.ActiveState == "active"
	}
	count := func() int {
		c := 0
		for _, a := range active {
			if a {
				c++
			}
		}
		return c
	}
	left := n - count()
	deadline := time.After(60 * time.Second)
	for left > 0 {
		select {
		case e, ok := <-sub.C:
			if !ok {
				h.t.Fatalf("subscription dropped: %v", sub.Err())
			}
			if e.Type != manager.UnitChanged {
				continue
			}
			was, now := active[e.Unit], e.New.ActiveState == "active"
			active[e.Unit] = now
			if was != now {
				if now {
					left--
				} else {
					left++
				}
			}
		case <-deadline:
			h.t.Fatalf("%d of %d units active after 60s", n-left, n)
		}
	}
}

// BenchmarkLatencyDuringMassStart measures GetAll latency while 1000 units
// start, against the same calls once they all run: p99 in ms, and the
// ratio of the two.
func BenchmarkLatencyDuringMassStart(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		h := newHarness(b, manyUnits(1000))
		c := h.rawConn()
		unit := c.Object(SystemdName, UnitPath("w@500.unit"))
		sampleLatency(unit, 50, nil) // warm up the connection
		stop := make(chan struct{})
		var busy []time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); busy = sampleLatency(unit, 0, stop) }()
		b.StartTimer()
		if _, err := h.m.Start("all"); err != nil {
			b.Fatal(err)
		}
		h.waitAllActive(1000)
		b.StopTimer()
		close(stop)
		wg.Wait()
		idle := sampleLatency(unit, 200, nil)
		b.ReportMetric(ms(p99(busy)), "p99-ms")
		b.ReportMetric(ms(maxOf(busy)), "max-ms")
		b.ReportMetric(ms(p99(idle)), "idle-p99-ms")
		b.ReportMetric(float64(len(busy)), "calls")
		if p99(idle) > 0 {
			b.ReportMetric(float64(p99(busy))/float64(p99(idle)), "x-idle")
		}
		b.StartTimer()
	}
}

func maxOf(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
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
