//go:build linux

package manager

import (
	"context"
	"fmt"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// TestShutdownParallel: units that ignore SIGTERM are stopped in parallel,
// so shutdown takes about one TimeoutStopSec, not one per unit; ordered
// units stop in reverse start order.
func TestShutdownParallel(t *testing.T) {
	const n, grace = 10, time.Second
	var us []*units.Unit
	var ready []string
	for i := 0; i < n; i++ {
		f := tempFile(t, "ready")
		ready = append(ready, f)
		us = append(us, testUnit(fmt.Sprintf("stubborn%d", i), "ignore-term:"+f, func(s *units.Service) { s.TimeoutStopSec = grace }))
	}
	us = append(us, testUnit("first", "sleep", func(s *units.Service) { s.Priority = 1 }))
	m, err := New(Config{Units: us})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t)(m.Start("all"))
	for _, f := range ready {
		waitFile(t, f)
	}
	sub := m.Subscribe()
	start := time.Now()
	if err := m.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	// Serial stops would take n×grace; parallel ones about one grace. The
	// bound is loose on purpose: this checks parallelism, not speed.
	if took > time.Duration(n/2)*grace {
		t.Errorf("shutdown of %d units with TimeoutStopSec=%v took %v", n, grace, took)
	}
	var order []string
	for e := range sub.C {
		if e.Type == UnitChanged && e.New.State == Stopped && e.Old.State != Stopped {
			order = append(order, e.Unit)
		}
	}
	if len(order) != n+1 || order[len(order)-1] != "first.unit" {
		t.Errorf("stop order %v: want first.unit (Priority=1) last", order)
	}
}

// TestShutdownDeadline: when the context ends first, what is left is
// killed and reaped, and Shutdown says so.
func TestShutdownDeadline(t *testing.T) {
	ready := tempFile(t, "ready")
	m, err := New(Config{Units: []*units.Unit{testUnit("forever", "ignore-term:"+ready, func(s *units.Service) { s.TimeoutStopSec = units.Infinity })}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t)(m.Start("forever"))
	waitFile(t, ready)
	pid := waitState(t, m, "forever", Running).MainPID
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := m.Shutdown(ctx); err == nil {
		t.Error("Shutdown reported success although it had to kill")
	}
	if alive(pid) {
		t.Errorf("pid %d survived Shutdown", pid)
	}
}
