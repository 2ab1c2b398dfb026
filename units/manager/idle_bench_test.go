//go:build linux

package manager

import (
	"bufio"
	"context"
	"flag"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

var idleWindow = flag.Duration("idle-window", 10*time.Second, "how long BenchmarkIdle1000 counts wake-ups")

// BenchmarkIdle1000 measures an idle manager with 1000 running units
// against one with none: context switches of the whole process over
// -idle-window (any wake-up of any thread counts), and memory (PSS from
// /proc/self/smaps_rollup, and the Go heap and stacks) per unit.
func BenchmarkIdle1000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		empty, err := New(Config{Units: []*units.Unit{}})
		if err != nil {
			b.Fatal(err)
		}
		pss0, heap0 := memory()
		time.Sleep(2 * time.Second) // as below, so both windows start alike
		wake0 := wakeups(*idleWindow)
		m, err := New(Config{Units: sleepers(benchUnits)})
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b)(m.Start("all"))
		pss1, heap1 := memory()
		time.Sleep(2 * time.Second) // let the collector and scavenger finish after the mass start
		wake1 := wakeups(*idleWindow)
		m.Shutdown(context.Background())
		empty.Shutdown(context.Background())
		b.ReportMetric(float64(wake0), "wakeups-0-units")
		b.ReportMetric(float64(wake1), "wakeups-1000-units")
		b.ReportMetric(float64(pss1-pss0)/benchUnits, "PSS-kB/unit")
		b.ReportMetric(float64(heap1-heap0)/1024/benchUnits, "go-kB/unit")
	}
}

// memory returns the process's PSS in kB and the Go heap and stacks in
// use in bytes, after a collection.
func memory() (pssKB int64, goBytes uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return statusField("/proc/self/smaps_rollup", "Pss:"), ms.HeapInuse + ms.StackInuse
}

// wakeups counts the context switches of every thread of the process
// during d.
func wakeups(d time.Duration) int64 {
	before := switches()
	time.Sleep(d) // the measurement window itself, not synchronisation
	return switches() - before
}

// switches sums voluntary and involuntary context switches over all
// threads. The benchmark's own goroutine sleeps on a timer that fires
// once, which costs one or two.
func switches() int64 {
	tasks, _ := os.ReadDir("/proc/self/task")
	var n int64
	for _, t := range tasks {
		p := "/proc/self/task/" + t.Name() + "/status"
		n += statusField(p, "voluntary_ctxt_switches:") + statusField(p, "nonvoluntary_ctxt_switches:")
	}
	return n
}

// statusField reads the number after key in a /proc status-style file.
func statusField(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkRestartRSS runs a crash loop for 10,000 restarts and reports
// the RSS growth between restart 1,000 and restart 10,000.
func BenchmarkRestartRSS(b *testing.B) {
	for i := 0; i < b.N; i++ {
		m, err := New(Config{Units: []*units.Unit{cmdUnit("crash", []string{"/bin/false"}, func(s *units.Service) {
			s.Restart, s.RestartSec, s.RestartSteps = units.RestartAlways, 0, 0
		})}})
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b)(m.Start("crash"))
		at := func(n uint32) int64 {
			waitUnit(b, m, "crash", 5*time.Minute, "restarted", func(s Snapshot) bool { return s.NRestarts >= n })
			runtime.GC()
			return statusField("/proc/self/status", "VmRSS:")
		}
		rss1k := at(1000)
		t0 := time.Now()
		rss10k := at(10000)
		per := time.Since(t0) / 9000
		m.Shutdown(context.Background())
		b.ReportMetric(float64(rss1k), "RSS-kB@1k")
		b.ReportMetric(float64(rss10k), "RSS-kB@10k")
		b.ReportMetric(float64(rss10k)/float64(rss1k), "RSS-ratio")
		b.ReportMetric(float64(per.Microseconds())/1000, "ms/restart")
	}
}
