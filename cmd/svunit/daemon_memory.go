package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// quietBeforeTrim is how long the daemon must go without a garbage
// collection before it returns the memory of its last burst of work.
const quietBeforeTrim = time.Second

// A memoryTrimmer returns memory to the OS after bursts of work. An idle
// daemon allocates nothing, so no collection ever runs to free what a
// boot, a reload or a status of a thousand units left behind, and the
// runtime would keep those pages (a few status calls on 1000 units add
// more than the units themselves). So once the boot's or a reload's jobs
// are done (Trim), and once the daemon has gone quiet (quietBeforeTrim)
// without a collection after one it did not cause itself, it collects and
// hands every free page back. It never wakes an idle daemon: only a collection,
// that is allocation, arms its timer.
type memoryTrimmer struct {
	quiet time.Duration // set at creation
	trims atomic.Int64  // how many trims ran

	mu    sync.Mutex
	timer *time.Timer // the pending trim; nil when none
	own   uint64      // collections up to this one are the trimmer's own
}

// startMemoryTrimmer returns a trimmer that watches collections and trims
// once the daemon has gone quiet without one after a burst.
func startMemoryTrimmer(quiet time.Duration) *memoryTrimmer {
	t := &memoryTrimmer{quiet: quiet}
	t.watch()
	return t
}

// watch arranges for collected to run after the next collection: the
// runtime runs a cleanup once the object it is attached to is collected.
func (t *memoryTrimmer) watch() {
	runtime.AddCleanup(new([16]byte), func(t *memoryTrimmer) { t.collected(); t.watch() }, t)
}

// collected (re)arms the trim after a collection that was not a trim's.
func (t *memoryTrimmer) collected() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if gcCycles() <= t.own {
		return
	}
	if t.timer == nil {
		t.timer = time.AfterFunc(t.quiet, t.Trim)
		return
	}
	t.timer.Reset(t.quiet)
}

// Trim collects now and returns every free page to the OS.
func (t *memoryTrimmer) Trim() {
	t.mu.Lock()
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	t.own = gcCycles() + 1
	t.mu.Unlock()
	debug.FreeOSMemory()
	t.trims.Add(1)
}

// gcCycles is the number of collections so far.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
