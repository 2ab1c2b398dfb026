package journal

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// errWouldBlock is returned by splice and readChunk when the pipe is empty.
var errWouldBlock = errors.New("journal: pipe empty")

// dropQueue is how many chunks a stream with Overflow Drop holds for a slow
// sink before it drops what the pipe delivers.
const dropQueue = 16

// closeGrace bounds how long Close waits for processes that still hold a
// pipe's write end (a grandchild that outlived the unit) to close it.
const closeGrace = time.Second

// A sink takes a stream's bytes. Its methods are called with stream.mu held,
// one at a time.
type sink interface {
	// write delivers p. n counts the bytes delivered, or kept for a line
	// still unfinished; the rest of p is counted as dropped. n may be
	// negative when the sink also had to take back bytes it had counted
	// before (a line broken by a full disk).
	write(p []byte) (n int, err error)
	close() error // flushes a partial line, closes what the sink opened
}

// An aborter is a sink whose writes can wait on another process (a FIFO's
// reader, the syslog daemon); abort makes a waiting write fail, and may be
// called while a write holds stream.mu.
type aborter interface {
	abort()
}

// A splicer is a sink that can take bytes from the pipe without a copy
// through user space.
type splicer interface {
	// spliceFrom moves bytes from the pipe fd. On failure the bytes stay in
	// the pipe, and lost counts bytes the sink took back from earlier.
	spliceFrom(fd int) (n, lost int64, handled bool, err error)
}

// A stream copies one pipe into one sink. How it waits for the pipe is
// per OS (pipeReader): on Linux no goroutine runs while the pipe is empty.
// Whatever goroutine copies at the moment, the copier, calls move until
// the pipe is empty.
type stream struct {
	pipeReader          // the read end and the wait for it
	w          *os.File // pipe write end, for the children; closed by stop
	policy     Overflow
	done       chan struct{} // closed when copying has ended, Drop's writer included

	regularFile bool // the sink is a fileSink on a regular file; set at creation

	mu   sync.Mutex // guards sink's state; held while a chunk is written
	sink sink       // set at creation, never replaced

	// Overflow Drop: chunks read for the sink, and a writer goroutine that
	// runs only while there are some.
	queue   chan []byte
	writing atomic.Bool    // a writer goroutine runs
	writers sync.WaitGroup // the writer goroutine, for finish

	written, dropped atomic.Int64
	failing          atomic.Bool // the last write failed: bypass splice and drop until a write works
	grown            bool        // the pipe was grown (see growPipe); owned by the copier
	counted          bool        // the pipe counts in grownPipes; owned by the copier until done
	batch            int64       // bytes moved since the copier last looked at the pace; owned by the copier

	errMu   sync.Mutex // guards the fields below; never held during I/O, so Status never waits on a sink
	err     error      // the current failure, nil once a write succeeds
	lastErr error      // the most recent failure, kept after recovery
	lastAt  time.Time  // when lastErr happened
}

// newStream makes a pipe for snk and starts watching it.
func newStream(snk sink, policy Overflow) (*stream, error) {
	s := &stream{policy: policy, sink: snk, done: make(chan struct{})}
	if policy == Drop {
		s.queue = make(chan []byte, dropQueue)
	}
	if f, ok := snk.(*fileSink); ok {
		s.regularFile = f.regular
	}
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

// move moves one batch from the pipe fd to the sink: a splice when the sink
// allows, or else one chunk read and delivered (or queued, under Overflow
// Drop). It returns errWouldBlock when the pipe is empty and io.EOF at end
// of input. A failed sink is not an error here: it is counted.
func (s *stream) move(fd int) error {
	if s.policy == Drop {
		return s.readQueued(fd)
	}
	if sp, ok := s.sink.(splicer); ok && !s.failing.Load() {
		s.mu.Lock()
		m, lost, handled, err := sp.spliceFrom(fd)
		s.mu.Unlock()
		if handled {
			s.busy(fd, m)
			s.written.Add(m - lost)
			if lost != 0 {
				s.dropped.Add(lost)
			}
			switch {
			case err == errWouldBlock:
				return err
			case err != nil:
				s.fail(err) // the bytes stay in the pipe; the next round drops them
			case m == 0:
				return io.EOF
			}
			return nil
		}
	}
	buf, n, err := readChunk(fd)
	if buf != nil {
		s.busy(fd, int64(n))
		s.deliver((*buf)[:n])
		putChunk(buf)
	}
	return err
}

// readQueued reads one chunk and queues it for the writer goroutine,
// starting one if none runs; what does not fit in the queue is dropped and
// counted, so the pipe stays drained.
func (s *stream) readQueued(fd int) error {
	buf, n, err := readChunk(fd)
	if buf == nil {
		return err
	}
	s.busy(fd, int64(n))
	select {
	case s.queue <- (*buf)[:n]:
	default:
		s.dropped.Add(int64(n))
		putChunk(buf)
	}
	if s.writing.CompareAndSwap(false, true) {
		s.writers.Add(1)
		go s.writeQueued()
	}
	return nil
}

// writeQueued delivers queued chunks until the queue is empty.
func (s *stream) writeQueued() {
	defer s.writers.Done()
	for {
		select {
		case p := <-s.queue:
			s.deliver(p)
			b := p[:cap(p)]
			putChunk(&b)
		default:
			s.writing.Store(false)
			// A chunk queued after the empty receive found this writer
			// still running and started none: take it.
			if len(s.queue) == 0 || !s.writing.CompareAndSwap(false, true) {
				return
			}
		}
	}
}

// finish marks the stream done once Drop's writer has delivered what it
// holds. The copier calls it when copying ends.
func (s *stream) finish() {
	s.writers.Wait()
	close(s.done)
}

// busy grows the pipe the first time one read finds it full (64 KiB):
// the stream is busy, and a larger pipe lets the writer run ahead.
func (s *stream) busy(fd int, moved int64) {
	s.batch += moved
	if moved >= chunkSize-4096 && !s.grown {
		s.grown = true
		s.counted = growPipe(fd)
	}
}

// readChunk reads what the non-blocking pipe fd holds into a pooled buffer;
// the buffer is taken only when there is something to read.
func readChunk(fd int) (*[]byte, int, error) {
	buf := getChunk()
	for {
		n, err := syscall.Read(fd, *buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			putChunk(buf)
			return nil, 0, errWouldBlock
		case err != nil:
			putChunk(buf)
			return nil, 0, err
		case n == 0:
			putChunk(buf)
			return nil, 0, io.EOF
		}
		return buf, n, nil
	}
}

// deliver writes p to the sink and keeps the accounts.
func (s *stream) deliver(p []byte) {
	s.mu.Lock()
	n, err := s.sink.write(p)
	s.mu.Unlock()
	s.written.Add(int64(n))
	if n != len(p) {
		s.dropped.Add(int64(len(p) - n))
	}
	if err != nil {
		s.fail(err)
		return
	}
	if n > 0 && s.failing.Load() {
		s.recover()
	}
}

func (s *stream) fail(err error) {
	s.errMu.Lock()
	s.err, s.lastErr, s.lastAt = err, err, time.Now()
	s.errMu.Unlock()
	s.failing.Store(true)
}

func (s *stream) recover() {
	s.errMu.Lock()
	s.err = nil
	s.errMu.Unlock()
	s.failing.Store(false)
}

// withSink runs f on the sink under the stream's lock, recording its error.
func (s *stream) withSink(f func(sink) error) error {
	s.mu.Lock()
	err := f(s.sink)
	s.mu.Unlock()
	if err != nil {
		s.fail(err)
	}
	return err
}

// close waits for copying to end after stop, then closes the read end and
// the sink. A sink write still stuck after the grace period is aborted, so
// Close returns even when a FIFO's reader or the syslog daemon hangs.
func (s *stream) close() error {
	select {
	case <-s.done:
	case <-time.After(2 * closeGrace):
		if a, ok := s.sink.(aborter); ok {
			a.abort()
		}
		<-s.done
	}
	s.closeRead()
	if s.counted {
		releasePipe()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sink.close()
}

// status returns the stream's accounts.
func (s *stream) status() StreamStatus {
	st := StreamStatus{Written: s.written.Load(), Dropped: s.dropped.Load()}
	s.errMu.Lock()
	if s.err != nil {
		st.Error = s.err.Error()
	}
	if s.lastErr != nil {
		st.LastError, st.LastErrorTime = s.lastErr.Error(), s.lastAt
	}
	s.errMu.Unlock()
	return st
}
