//go:build !linux

package journal

import (
	"os"
	"syscall"
	"time"
)

// pipeReader is a stream's read end where there is no epoll: one goroutine
// per stream (run) waits for it in Go's poller.
type pipeReader struct {
	r  *os.File // read by run only, closed after run returns
	rc syscall.RawConn
}

// open makes the pipe and starts run.
func (s *stream) open() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	// The children need a blocking write end: Fd leaves it blocking and out
	// of our poller, and the read end stays non-blocking for run.
	w.Fd()
	rc, err := r.SyscallConn()
	if err != nil {
		r.Close()
		w.Close()
		return err
	}
	s.r, s.rc, s.w = r, rc, w
	go s.run()
	return nil
}

// run copies until every write end is closed (or stop's deadline passes).
func (s *stream) run() {
	defer s.finish()
	for {
		var err error
		rerr := s.rc.Read(func(fd uintptr) bool {
			err = s.move(int(fd))
			return err != errWouldBlock
		})
		if rerr != nil || err != nil {
			return
		}
	}
}

// stop closes our write end and gives run closeGrace to drain the pipe
// until the children's copies are closed too. It does not wait.
func (s *stream) stop() {
	s.w.Close()
	s.r.SetReadDeadline(time.Now().Add(closeGrace))
}

func (s *stream) closeRead() { s.r.Close() }
