package journal

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pipeReader is a stream's read end on Linux: a raw fd, non-blocking and
// close-on-exec, watched by the shared waiter with a one-shot epoll
// registration. When the pipe becomes readable the waiter starts a copier
// goroutine, which moves bytes until the pipe is empty, arms the
// registration again and exits. A quiet stream thus costs no goroutine,
// and a busy one no wake-up while its copier runs.
type pipeReader struct {
	fd      int         // the read end; closed by closeRead once done
	id      uint64      // the stream's key in the waiter's table and its epoll data
	expired atomic.Bool // Close's grace period is over: copy no more
	timer   *time.Timer // sets expired; owned by Output.Close

	mark time.Time // when the last copier parked, or this one last lingered; owned by the copier, handed over through pmu

	pmu     sync.Mutex // guards the fields below
	running bool       // a goroutine owns fd (a copier, or expire ending the stream): the waiter starts none
	ended   bool       // copying is over
	copiers int        // copiers started, for the tests
}

// A waiter is one epoll instance for all streams, served by one goroutine.
// The epoll fd itself sits in Go's poller, so that goroutine is parked,
// holding no thread, until some pipe has bytes.
type waiter struct {
	ep int

	mu      sync.Mutex         // guards the fields below
	streams map[uint64]*stream // the streams registered, by id
	lastID  uint64
}

var (
	waiterMu  sync.Mutex // guards theWaiter's creation
	theWaiter *waiter    // set once, before any stream uses it
)

// sharedWaiter returns the waiter, starting it on first use. A failure
// (no fd left, say) is returned, and the next Open tries again.
func sharedWaiter() (*waiter, error) {
	waiterMu.Lock()
	defer waiterMu.Unlock()
	if theWaiter != nil {
		return theWaiter, nil
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll instance for log pipes: %w", err)
	}
	if err := unix.SetNonblock(ep, true); err != nil {
		unix.Close(ep)
		return nil, fmt.Errorf("epoll instance for log pipes: %w", err)
	}
	f := os.NewFile(uintptr(ep), "epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("epoll instance for log pipes: %w", err)
	}
	theWaiter = &waiter{ep: ep, streams: make(map[uint64]*stream)}
	go theWaiter.serve(f, rc)
	return theWaiter, nil
}

// serve starts a copier for each stream whose pipe became readable. f keeps
// the epoll fd open; the waiter lives as long as the process.
func (w *waiter) serve(f *os.File, rc syscall.RawConn) {
	var evs [64]unix.EpollEvent
	for {
		var n int
		var werr error
		err := rc.Read(func(fd uintptr) bool {
			n, werr = unix.EpollWait(int(fd), evs[:], 0)
			if werr != nil {
				n = 0
			}
			return n > 0 || werr != nil
		})
		if err == nil && werr != unix.EINTR {
			err = werr
		}
		if err != nil {
			panic(fmt.Sprintf("journal: waiting for log pipes on %s: %v", f.Name(), err))
		}
		for _, ev := range evs[:n] {
			w.mu.Lock()
			s := w.streams[uint64(uint32(ev.Fd))|uint64(uint32(ev.Pad))<<32]
			w.mu.Unlock()
			if s != nil {
				s.wake()
			}
		}
	}
}

// ctl registers s's fd (op EPOLL_CTL_ADD) or arms it again (EPOLL_CTL_MOD)
// for one event.
func (w *waiter) ctl(s *stream, op int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLONESHOT, Fd: int32(uint32(s.id)), Pad: int32(uint32(s.id >> 32))}
	return unix.EpollCtl(w.ep, op, s.fd, &ev)
}

// add registers s, armed: its first byte starts a copier.
func (w *waiter) add(s *stream) error {
	w.mu.Lock()
	w.lastID++
	s.id = w.lastID
	w.streams[s.id] = s
	w.mu.Unlock()
	if err := w.ctl(s, unix.EPOLL_CTL_ADD); err != nil {
		w.remove(s)
		return err
	}
	return nil
}

// remove forgets s; an event already taken for it finds nothing.
func (w *waiter) remove(s *stream) {
	unix.EpollCtl(w.ep, unix.EPOLL_CTL_DEL, s.fd, nil) // fails only if never added
	w.mu.Lock()
	delete(w.streams, s.id)
	w.mu.Unlock()
}

// open makes the pipe: the read end for the waiter, the write end blocking
// (as children expect) and outside Go's poller.
func (s *stream) open() error {
	w, err := sharedWaiter()
	if err != nil {
		return err
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return err
	}
	if err := unix.SetNonblock(p[0], true); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return err
	}
	s.fd, s.w = p[0], os.NewFile(uintptr(p[1]), "|1")
	if err := w.add(s); err != nil {
		unix.Close(p[0])
		s.w.Close()
		return fmt.Errorf("watching the pipe: %w", err)
	}
	return nil
}

// wake starts a copier, unless one runs or copying has ended.
func (s *stream) wake() {
	s.pmu.Lock()
	start := !s.running && !s.ended
	s.running = true
	if start {
		s.copiers++
	}
	s.pmu.Unlock()
	if start {
		go s.copy()
	}
}

// copy is the copier: it moves bytes until the pipe is empty and then
// hands the read end back to the waiter, or ends the stream at end of
// input, on a read error or once Close's grace period is over. A copier
// started soon after the last one parked serves a busy stream, and
// lingers before parking (see linger).
func (s *stream) copy() {
	busy := time.Since(s.mark) < lingerBusy
	s.batch = 0
	for {
		err := s.move(s.fd)
		if err == nil && !s.expired.Load() {
			continue
		}
		if err == errWouldBlock && !s.expired.Load() && s.linger(busy) {
			continue
		}
		if err == errWouldBlock && s.park() {
			return
		}
		s.end()
		return
	}
}

// Lingering: a copier that has emptied the pipe of a busy stream waits
// lingerFor before it looks again, instead of parking at once, so that a
// chatty writer's small writes reach the sink in large batches and do not
// wake the manager one by one (each wake-up costs the writer and the
// manager more than the bytes themselves). The pipe grows to grownPipeMax
// first, and a writer fast enough to fill half of it during one linger is
// served eagerly instead, so that no writer waits for a lingering copier.
const (
	lingerFor  = time.Millisecond
	lingerBusy = 2 * lingerFor // a copier started within this of the last park serves a busy stream
)

// linger waits lingerFor if the stream is busy and lingering pays, and
// reports whether it did. It stops once a wait brought nothing: the
// writer paused, and the copier parks.
func (s *stream) linger(busy bool) bool {
	now := time.Now()
	moved, elapsed := s.batch, now.Sub(s.mark)
	s.batch, s.mark = 0, now
	switch {
	case !busy || moved == 0:
		return false
	case moved*int64(lingerFor) >= grownPipeMax/2*int64(elapsed):
		return false // at this pace the pipe would fill half during a linger
	case !s.grown:
		s.grown = true
		s.counted = growPipe(s.fd)
	}
	if !s.counted {
		return false
	}
	time.Sleep(lingerFor)
	return true
}

// park arms the registration again and gives up the read end; the next
// byte starts a new copier. It reports false when the copier should end
// the stream instead.
func (s *stream) park() bool {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	if s.expired.Load() {
		return false
	}
	if err := theWaiter.ctl(s, unix.EPOLL_CTL_MOD); err != nil {
		s.fail(fmt.Errorf("watching the log pipe: %w", err))
		return false
	}
	s.mark = time.Now()
	s.running = false
	return true
}

// end stops watching the pipe and marks the stream done. Only the owner of
// the read end (running) calls it.
func (s *stream) end() {
	s.pmu.Lock()
	s.ended = true
	s.pmu.Unlock()
	theWaiter.remove(s)
	s.finish()
}

// stop closes our write end and gives the copier closeGrace to drain the
// pipe until the children's copies are closed too. It does not wait.
func (s *stream) stop() {
	s.w.Close()
	s.timer = time.AfterFunc(closeGrace, s.expire)
}

// expire ends copying after the grace period: at once if no copier runs,
// else after the copier's current batch.
func (s *stream) expire() {
	s.expired.Store(true)
	s.pmu.Lock()
	idle := !s.running && !s.ended
	s.running = true
	s.pmu.Unlock()
	if idle {
		s.end()
	}
}

// closeRead closes the read end once copying has ended.
func (s *stream) closeRead() {
	s.timer.Stop()
	unix.Close(s.fd)
}
