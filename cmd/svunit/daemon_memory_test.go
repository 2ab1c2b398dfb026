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
		runtime.GC() // the burst's collection
		deadline := time.Now().Add(10 * time.Second)
		for tr.trims.Load() < round {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no trim within 10s of a collection", round)
			}
			time.Sleep(time.Millisecond) // polls the counter; the trimmer has no event to wait on
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
