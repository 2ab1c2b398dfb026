package main

import (
	"runtime"
	"testing"
	"time"
)

// TestMemoryTrimmer: a collection the trimmer did not cause (a burst of
// work) is followed by one trim once things are quiet, and the trim's own
// collection arms nothing, so an idle daemon is not woken again.
func TestMemoryTrimmer(t *testing.T) {
	tr := startMemoryTrimmer(10 * time.Millisecond)
	for round := int64(1); round <= 2; round++ {
		// The burst's collections. One alone can be missed: the trimmer's
		// watch object, allocated by the cleanup of the previous
		// collection, survives a collection whose marking is under way, as
		// every new object does; a busy daemon collects again anyway.
		deadline := time.Now().Add(10 * time.Second)
		for next := time.Now(); tr.trims.Load() < round; time.Sleep(time.Millisecond) { // polls the counter; the trimmer has no event to wait on
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no trim within 10s of collections", round)
			}
			if time.Now().After(next) {
				runtime.GC()
				next = time.Now().Add(100 * time.Millisecond)
			}
		}
	}
	// The cleanup after a trim's own collection must not arm another.
	for attempt := 0; ; attempt++ {
		tr.Trim()
		tr.collected()
		tr.mu.Lock()
		armed, other := tr.timer != nil, gcCycles() > tr.own
		tr.mu.Unlock()
		if !other {
			if armed {
				t.Fatal("the trim's own collection armed another trim: an idle daemon would trim forever")
			}
			return
		}
		if attempt == 10 {
			t.Fatal("other collections kept coming during the check")
		}
	}
}
