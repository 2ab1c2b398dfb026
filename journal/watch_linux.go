package journal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watcher wakes Follow when the file at a path may have changed. On Linux it
// is an inotify watch on the directory, filtered by the file's name, so a
// quiet file costs no wake-ups and a rename or re-creation is seen at once.
type watcher struct {
	ino  *os.File // the inotify fd, non-blocking, in Go's poller
	name string   // base name of the followed file
	buf  [4096]byte
}

func newWatcher(path string) (*watcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("follow %s: inotify: %w", path, err)
	}
	dir := filepath.Dir(path)
	const mask = unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CREATE | unix.IN_DELETE |
		unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_CLOSE_WRITE
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("follow %s: watch %s: %w", path, dir, err)
	}
	return &watcher{ino: os.NewFile(uintptr(fd), "inotify"), name: filepath.Base(path)}, nil
}

// wait returns when an event names the file (or the queue overflowed), or
// with ctx's error.
func (w *watcher) wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { w.ino.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	for {
		n, err := w.ino.Read(w.buf[:])
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if w.relevant(w.buf[:n]) {
			return nil
		}
	}
}

// relevant reports whether a batch of events concerns the followed name.
func (w *watcher) relevant(b []byte) bool {
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
			return true
		}
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			return true
		}
		name := b[unix.SizeofInotifyEvent:end]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		if string(name) == w.name {
			return true
		}
		b = b[end:]
	}
	return false
}

func (w *watcher) close() { w.ino.Close() }
