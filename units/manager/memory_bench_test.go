//go:build linux

package manager

import (
	"context"
	"runtime"
	"testing"

	"svunit.dev/svunit/units"
)

// BenchmarkMemoryPerUnit reports what the manager itself keeps per unit
// once 1000 units run (StartSecs=0, output to /dev/null, so the journal's
// share is left out): live heap, goroutine stacks and goroutines, each
// over a manager with no units measured in the same run. The idle daemon's
// PSS per unit (BenchmarkIdle1000, contrib/bench) is this plus the
// journal's share, the runtime's own overhead and the kernel's pages.
func BenchmarkMemoryPerUnit(b *testing.B) {
	for i := 0; i < b.N; i++ {
		empty, err := New(Config{Units: []*units.Unit{}})
		if err != nil {
			b.Fatal(err)
		}
		heap0, stack0, g0 := liveMemory()
		m, err := New(Config{Units: sleepers(benchUnits)})
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b)(m.Start("all"))
		heap1, stack1, g1 := liveMemory()
		m.Shutdown(context.Background())
		empty.Shutdown(context.Background())
		b.ReportMetric(float64(heap1-heap0)/benchUnits, "heap-B/unit")
		b.ReportMetric(float64(stack1-stack0)/benchUnits, "stack-B/unit")
		b.ReportMetric(float64(g1-g0)/benchUnits, "goroutines/unit")
	}
}

// liveMemory returns the live heap and the stack memory in use, in bytes,
// and the number of goroutines, after collections that also shrink idle
// goroutines' stacks (each collection halves a stack that uses a quarter
// of it or less).
func liveMemory() (heap, stack int64, goroutines int) {
	var ms runtime.MemStats
	for range 4 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc), int64(ms.StackInuse), runtime.NumGoroutine()
}
