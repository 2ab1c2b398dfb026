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

// errWouldBlock is returned by splice when the pipe is empty.
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

// A stream copies one pipe into one sink from its own goroutine (run).
type stream struct {
	r      *os.File // pipe read end: read by run only, closed after run returns
	rc     syscall.RawConn
	w      *os.File // pipe write end, for the children; closed by Output.Close
	policy Overflow
	done   chan struct{} // closed when run returns

	regularFile bool // the sink is a fileSink on a regular file; set at creation

	mu   sync.Mutex // guards sink's state; held while a chunk is written
	sink sink       // set at creation, never replaced

	written, dropped atomic.Int64
	failing          atomic.Bool // the last write failed: bypass splice and drop until a write works
	grown            bool        // the pipe was grown (see growPipe); owned by the copier
	counted          bool        // the pipe counts in grownPipes; owned by the copier until done

	errMu   sync.Mutex // guards the fields below; never held during I/O, so Status never waits on a sink
	err     error      // the current failure, nil once a write succeeds
	lastErr error      // the most recent failure, kept after recovery
	lastAt  time.Time  // when lastErr happened
}

// newStream makes a pipe for snk and starts copying from it.
func newStream(snk sink, policy Overflow) (*stream, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	// The children need a blocking write end: Fd leaves it blocking and out
	// of our poller, and the read end stays non-blocking for run.
	w.Fd()
	rc, err := r.SyscallConn()
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	s := &stream{r: r, rc: rc, w: w, policy: policy, sink: snk, done: make(chan struct{})}
	if f, ok := snk.(*fileSink); ok {
		s.regularFile = f.regular
	}
	if policy == Drop {
		go s.runDropping()
	} else {
		go s.run()
	}
	return s, nil
}

// run copies until every write end is closed (or Close's deadline passes).
// A full pipe makes the children wait: that is Overflow Block.
func (s *stream) run() {
	defer close(s.done)
	for {
		buf, n, err := s.pump()
		if buf != nil {
			s.deliver((*buf)[:n])
			putChunk(buf)
		}
		if err != nil {
			return
		}
	}
}

// runDropping reads as fast as the pipe fills and hands chunks to a writer
// goroutine; what does not fit in its queue is dropped and counted.
func (s *stream) runDropping() {
	defer close(s.done)
	q := make(chan []byte, dropQueue)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for p := range q {
			s.deliver(p)
			b := p[:cap(p)]
			putChunk(&b)
		}
	}()
	defer func() { close(q); <-wrote }()
	for {
		buf, n, err := s.read()
		if buf != nil {
			select {
			case q <- (*buf)[:n]:
			default:
				s.dropped.Add(int64(n))
				putChunk(buf)
			}
		}
		if err != nil {
			return
		}
	}
}

// pump waits until the pipe is readable, then splices it into the sink when
// the sink allows, or else reads one chunk for deliver. It returns an error
// at end of input.
func (s *stream) pump() (buf *[]byte, n int, err error) {
	sp, ok := s.sink.(splicer)
	if !ok {
		return s.read()
	}
	rerr := s.rc.Read(func(fd uintptr) bool {
		if !s.failing.Load() {
			s.mu.Lock()
			m, lost, handled, serr := sp.spliceFrom(int(fd))
			s.mu.Unlock()
			if handled {
				s.busy(int(fd), m)
				s.written.Add(m - lost)
				s.dropped.Add(lost)
				switch {
				case serr == errWouldBlock:
					return false
				case serr != nil:
					s.fail(serr) // the bytes stay in the pipe; the next round drops them
				case m == 0:
					err = io.EOF
				}
				return true
			}
		}
		buf, n, err = readChunk(int(fd))
		s.busy(int(fd), int64(n))
		return err != errWouldBlock
	})
	if rerr != nil {
		err = rerr
	}
	return buf, n, err
}

// busy grows the pipe the first time one read finds it full (64 KiB):
// the stream is busy, and a larger pipe lets the writer run ahead.
func (s *stream) busy(fd int, moved int64) {
	if moved >= chunkSize-4096 && !s.grown {
		s.grown = true
		s.counted = growPipe(fd)
	}
}

// read waits until the pipe is readable and reads one chunk.
func (s *stream) read() (buf *[]byte, n int, err error) {
	rerr := s.rc.Read(func(fd uintptr) bool {
		buf, n, err = readChunk(int(fd))
		s.busy(int(fd), int64(n))
		return err != errWouldBlock
	})
	if rerr != nil {
		err = rerr
	}
	return buf, n, err
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
	s.dropped.Add(int64(len(p) - n))
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

// stop closes our write end and gives run closeGrace to drain the pipe
// until the children's copies are closed too. It does not wait.
func (s *stream) stop() {
	s.w.Close()
	s.r.SetReadDeadline(time.Now().Add(closeGrace))
}

// close waits for run after stop, then closes the read end and the sink.
// A sink write still stuck after the grace period is aborted, so Close
// returns even when a FIFO's reader or the syslog daemon hangs.
func (s *stream) close() error {
	select {
	case <-s.done:
	case <-time.After(2 * closeGrace):
		if a, ok := s.sink.(aborter); ok {
			a.abort()
		}
		<-s.done
	}
	s.r.Close()
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
