package manager

import (
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
)

// exitSink receives the exit of a process it registered. exited must not
// block: the reaper calls it for every exit of every unit.
type exitSink interface {
	exited(pid int, ws syscall.WaitStatus)
}

// reaper is the process's only waiter for children. SIGCHLD wakes it; it
// reaps until nothing is left and routes each exit to the sink registered
// for the pid. Processes nobody registered (orphans handed to the manager
// as a subreaper) are reaped and counted, so no zombie stays.
//
// There is one reaper per process, shared by every Manager, because
// SIGCHLD and wait are process-wide.
type reaper struct {
	// spawnMu is held for reading from fork until the child's pid is
	// registered, and for writing while an unregistered pid is reaped, so
	// that a child that exits at once is never mistaken for an orphan.
	spawnMu sync.RWMutex

	// slots bounds the goroutines that prepare and fork a child at once,
	// to one fewer than the Ps (at least one), so a P stays free for the
	// rest of the program: a buffered channel used as a semaphore (see
	// service.takeSpawnSlot).
	slots chan struct{}

	mu     sync.Mutex
	owners map[int]exitSink // guarded by mu

	orphans atomic.Uint64 // unregistered processes reaped
}

var (
	theReaper     *reaper
	theReaperOnce sync.Once
)

// getReaper starts the process's reaper on first use (and makes the
// process a child subreaper where the OS has the notion).
func getReaper() *reaper {
	theReaperOnce.Do(func() {
		r := &reaper{owners: make(map[int]exitSink), slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
		becomeSubreaper()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGCHLD)
		go func() {
			for range sig {
				r.reapAll()
			}
		}()
		theReaper = r
	})
	return theReaper
}

// spawn runs fork (a ForkExec) and registers the new pid for sink before
// the reaper can look at it. Spawns run in parallel.
func (r *reaper) spawn(sink exitSink, fork func() (int, error)) (int, error) {
	return r.spawnLocked(r.spawnMu.RLocker(), sink, fork)
}

// spawnExclusive is spawn with no other fork in flight, for a fork that
// changes the manager's own umask or rlimits for its duration.
func (r *reaper) spawnExclusive(sink exitSink, fork func() (int, error)) (int, error) {
	return r.spawnLocked(&r.spawnMu, sink, fork)
}

func (r *reaper) spawnLocked(l sync.Locker, sink exitSink, fork func() (int, error)) (int, error) {
	l.Lock()
	defer l.Unlock()
	pid, err := fork()
	if err != nil {
		return 0, err
	}
	r.adopt(pid, sink)
	return pid, nil
}

// adopt registers an existing child (a forking service's daemon, which the
// subreaper inherited) for sink.
func (r *reaper) adopt(pid int, sink exitSink) {
	r.mu.Lock()
	r.owners[pid] = sink
	r.mu.Unlock()
}

// owner returns the sink registered for pid, or nil.
func (r *reaper) owner(pid int) exitSink {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.owners[pid]
}

// reap collects pid if it has exited and routes its status; it reports
// whether it collected anything.
func (r *reaper) reap(pid int) bool {
	var ws syscall.WaitStatus
	got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	if err != nil || got != pid {
		return false
	}
	r.route(pid, ws)
	return true
}

// route hands a collected status to its sink, or counts an orphan.
func (r *reaper) route(pid int, ws syscall.WaitStatus) {
	r.mu.Lock()
	sink := r.owners[pid]
	delete(r.owners, pid)
	r.mu.Unlock()
	if sink == nil {
		r.orphans.Add(1)
		return
	}
	sink.exited(pid, ws)
}

// reapUnknown reaps a pid that had no owner, after in-flight spawns have
// registered theirs.
func (r *reaper) reapUnknown(pid int) {
	r.spawnMu.Lock()
	defer r.spawnMu.Unlock()
	r.reap(pid)
}
