//go:build linux

package manager

import (
	"context"
	"net"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAPILatencyStart1000 measures what an API caller sees while
// 1000 units (StartSecs=0) start: a client writes a request on a unix
// socket every millisecond, a server goroutine reads it through Go's
// network poller (as the bus does), calls m.Unit and answers. Reported:
// the round trip's p50, p99 and maximum during the start, and the start's
// total time against the fork/exec floor measured in the same run.
func BenchmarkAPILatencyStart1000(b *testing.B) {
	b.Run("cgroups", func(b *testing.B) { benchAPILatency(b, Config{}) })
	b.Run("proc", func(b *testing.B) { benchAPILatency(b, Config{NoCgroups: true}) })
}

func benchAPILatency(b *testing.B, cfg Config) {
	var lat []time.Duration
	var floorStart, mgrStart time.Duration
	for i := 0; i < b.N; i++ {
		floorStart += floorStartTime(b)
		cfg.Units = sleepers(benchUnits)
		m, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		events := m.Subscribe() // a reader of every event, as the bus API is
		go func() {
			for range events.C {
			}
		}()
		client, stop := serveUnitLookups(b, m, "s0999")
		sampled := make(chan []time.Duration)
		done := make(chan struct{})
		go func() { sampled <- sampleRoundTrips(b, client, done) }()
		t0 := time.Now()
		waitFor(b)(m.Start("all"))
		mgrStart += time.Since(t0)
		close(done)
		lat = append(lat, <-sampled...)
		stop()
		events.Close()
		waitFor(b)(m.Stop("all"))
		m.Shutdown(context.Background())
	}
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(float64(len(lat)-1)*q)].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lat))/float64(b.N), "samples")
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(p(1), "max-ms")
	b.ReportMetric(mgrStart.Seconds()/float64(b.N), "start-s")
	b.ReportMetric(float64(mgrStart)/float64(floorStart), "start-x-floor")
}

// serveUnitLookups connects a client socket to a server goroutine that
// answers each byte it reads with m.Unit(name); stop ends the server.
func serveUnitLookups(b *testing.B, m *Manager, name string) (client net.Conn, stop func()) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	conns := make([]net.Conn, 2)
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "lookup")
		if conns[i], err = net.FileConn(f); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1)
		for {
			if _, err := conns[1].Read(buf); err != nil {
				return
			}
			if _, ok := m.Unit(name); !ok {
				buf[0] = 0
			}
			if _, err := conns[1].Write(buf); err != nil {
				return
			}
		}
	})
	return conns[0], func() {
		conns[0].Close()
		conns[1].Close()
		wg.Wait()
	}
}

// sampleRoundTrips sends one request per millisecond until done is
// closed and returns each round trip's time, counted from when the request
// was due: a caller outside does not stop sending while the manager
// stalls, so every request due during a stall waits for its end (without
// this, a stall would show as one slow sample among few).
func sampleRoundTrips(b *testing.B, c net.Conn, done <-chan struct{}) []time.Duration {
	var lat []time.Duration
	t := time.NewTimer(0)
	defer t.Stop()
	buf := []byte{1}
	start := time.Now()
	var end time.Time // when done was seen; requests due before it still count
	for k := 0; ; k++ {
		due := start.Add(time.Duration(k) * time.Millisecond)
		if end.IsZero() {
			t.Reset(max(time.Until(due), 0))
			select {
			case <-done:
				end = time.Now()
			case <-t.C:
			}
		}
		if !end.IsZero() && !due.Before(end) {
			return lat
		}
		if _, err := c.Write(buf); err != nil {
			b.Error(err)
			return lat
		}
		if _, err := c.Read(buf); err != nil {
			b.Error(err)
			return lat
		}
		lat = append(lat, time.Since(due))
	}
}
