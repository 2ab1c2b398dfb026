package api

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// watchHangup calls onHangup when the reader of the pipe whose write end is
// w goes away, so that a log stream nobody reads ends at once instead of at
// its next line. It blocks one thread in poll(2) per stream (their number
// is bounded by maxFollowers); stop, which the stream calls when it ends
// for another reason, wakes that thread and waits for it.
func watchHangup(w *os.File, onHangup func()) (stop func(), err error) {
	wakeR, wakeW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	raw, err := w.SyscallConn()
	if err != nil {
		wakeR.Close()
		wakeW.Close()
		return nil, err
	}
	var wfd int
	raw.Control(func(fd uintptr) { wfd = int(fd) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		fds := []unix.PollFd{{Fd: int32(wfd)}, {Fd: int32(wakeR.Fd()), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err == nil && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				onHangup()
			}
			return
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			wakeW.Close() // POLLIN (end of file) on wakeR
			<-done
			wakeR.Close()
		})
	}, nil
}
