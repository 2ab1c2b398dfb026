package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// checkEvery bounds how long a removed or replaced log file goes unnoticed:
// the path is compared with the open file after this many bytes or this much
// time, whichever comes first, on the next write (never from a timer).
const (
	checkEveryBytes = 1 << 20
	checkEveryTime  = time.Second
)

// fileSink writes a stream to a file. A regular file is rotated by size at a
// line boundary; anything else (a FIFO, a tty, /dev/stdout) is written as it
// comes, without seeking or rotating. All methods run under stream.mu.
type fileSink struct {
	path     string
	kind     Kind  // Default, Append, File or Truncate; reopen switches it under stream.mu
	maxBytes int64 // rotate beyond this size; 0 never
	backups  int
	cur      atomic.Pointer[os.File] // f, for abort, which runs without stream.mu
	removing sync.WaitGroup          // removals of expired backups in progress; close waits

	// The fields below are owned by whoever holds stream.mu.
	f         *os.File // nil until the first bytes, for a file opened lazily (see openFileSink)
	fd        int      // f's descriptor, for splice
	regular   bool     // f is a regular file: seekable, rotated
	size      int64    // f's write offset, which is its size for Default and Append
	limit     int64    // size at which the next rotation happens; beyond maxBytes after a failed rotation
	checkedAt int64    // size at the last removal check
	checkedT  time.Time
	noSplice  bool // splice failed with EINVAL once: copy through user space
	resync    bool // a write failed mid-line: skip input up to the next newline
}

// openFileSink opens path for kind; a regular file is opened for reading too,
// because rotation reads back its end to find the last newline. A FIFO with
// no reader is an error rather than a wait, so loading a unit never hangs.
//
// Default and Append files that are regular or missing are opened lazily,
// on the first bytes (see ensureOpen): creating thousands of files in one
// directory at boot is slow, and most streams write little or nothing.
// Open checks what it can without creating the file. File and Truncate
// open now, since the unit's start truncates them, and so does anything
// that exists and is not a regular file (FIFO, tty, /dev/stdout).
func openFileSink(path string, kind Kind, maxBytes int64, backups int) (*fileSink, error) {
	s := &fileSink{path: path, kind: kind, maxBytes: maxBytes, backups: backups, fd: -1}
	if kind == Default || kind == Append {
		lazy, err := checkLazy(path)
		if err != nil {
			return nil, err
		}
		if lazy {
			s.regular, s.limit = true, maxBytes
			return s, nil
		}
	}
	if err := s.open(kind == Truncate); err != nil {
		return nil, err
	}
	return s, nil
}

// checkLazy reports whether path can be opened on its first write: it is
// missing or a regular file. It fails, as opening would, when the
// directory is missing or not writable, or path is a directory or a file
// the manager may not write.
func checkLazy(path string) (bool, error) {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return false, fmt.Errorf("cannot open log file %s: it is a directory; choose a file path", path)
	case err == nil && !fi.Mode().IsRegular():
		return false, nil
	case err == nil:
		if err := syscall.Access(path, accessW); err != nil {
			return false, openError(path, err)
		}
		return true, nil
	case !errors.Is(err, os.ErrNotExist):
		return false, openError(path, err)
	}
	if err := syscall.Access(filepath.Dir(path), accessW|accessX); err != nil {
		return false, openError(path, err)
	}
	return true, nil
}

// Access modes for syscall.Access (unistd.h's W_OK and X_OK).
const (
	accessW = 0x2
	accessX = 0x1
)

// ensureOpen opens a lazily opened file on its first bytes. On failure
// the bytes are dropped and counted like any failed write, and the next
// write tries again.
func (s *fileSink) ensureOpen() error {
	if s.f != nil {
		return nil
	}
	return s.open(false)
}

func (s *fileSink) open(truncate bool) error {
	// Read access only for regular files: opening a FIFO read-write would
	// make us its reader.
	flags := os.O_WRONLY | os.O_CREATE | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	if fi, err := os.Stat(s.path); err != nil || fi.Mode().IsRegular() {
		flags = flags&^os.O_WRONLY | os.O_RDWR
	}
	if truncate {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(s.path, flags, 0o640)
	if err != nil {
		return openError(s.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log file %s: %w", s.path, err)
	}
	s.f, s.regular, s.size = f, fi.Mode().IsRegular(), 0
	s.cur.Store(f)
	s.fd = -1
	if s.regular {
		if s.kind != File {
			s.size, err = f.Seek(0, io.SeekEnd)
		}
		if err != nil {
			f.Close()
			return fmt.Errorf("log file %s: %w", s.path, err)
		}
		s.fd = int(f.Fd()) // a regular file is not in the poller, so Fd changes nothing
	}
	s.limit, s.checkedAt, s.checkedT = s.maxBytes, s.size, time.Now()
	return nil
}

// openError explains the failures users can fix.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, syscall.ENXIO):
		return fmt.Errorf("log file %s is a FIFO that no process is reading; start its reader first", path)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("cannot create log file %s: its directory does not exist; create it or choose another path", path)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("cannot open log file %s: permission denied; the manager runs as uid %d", path, os.Geteuid())
	}
	return fmt.Errorf("cannot open log file %s: %w", path, err)
}

func (s *fileSink) rotating() bool { return s.regular && s.maxBytes > 0 }

// room is how many bytes fit before the next rotation, rotating first if
// the file is already at its limit (it was opened that large, or reopened).
// It is always > 0.
func (s *fileSink) room() int64 {
	if !s.rotating() {
		return spliceMax
	}
	if s.size >= s.limit {
		_ = s.rotateAtLine() // on failure the limit moves up
	}
	return s.limit - s.size
}

// spliceFrom moves what the pipe fd holds into the file, up to the rotation
// size, and rotates when it is reached. handled is false when the caller must
// copy through a buffer instead (not a regular file, or no splice here).
// Bytes taken from the pipe that the file did not take are written as a
// chunk read from the pipe would be, so none is skipped or reordered.
func (s *fileSink) spliceFrom(fd int) (n, lost int64, handled bool, err error) {
	if !s.regular || s.noSplice || s.resync {
		return 0, 0, false, nil
	}
	if s.f == nil {
		// Create the file only for bytes: at end of input, or where
		// this cannot be told, the read path finds out.
		if !pipeBuffered(fd) {
			return 0, 0, false, nil
		}
		if err := s.ensureOpen(); err != nil {
			return 0, 0, true, err // the bytes stay in the pipe; the stream drops them
		}
		if !s.regular {
			return 0, 0, false, nil // the path became a FIFO or device meanwhile
		}
	}
	s.checkReplaced()
	n, rest, handled, err := splice(fd, s.fd, s.room())
	if !handled {
		s.noSplice = true
		if len(rest) == 0 {
			return 0, 0, false, nil
		}
	}
	s.size += n
	switch {
	case err != nil && err != errWouldBlock:
		lost = s.dropPartialLine()
		s.resync = lost > 0 // the pipe goes on with the rest of that line
		err = fmt.Errorf("log file %s: %w", s.path, err)
	case err == nil && s.rotating() && s.size >= s.limit:
		err = s.rotateAtLine()
	}
	if len(rest) > 0 {
		wn, werr := s.write(rest)
		n += int64(len(rest))
		lost += int64(len(rest) - wn)
		if werr != nil {
			err = werr
		}
	}
	return n, lost, true, err
}

// write writes p, rotating whenever the file reaches its size limit. After
// a failure it skips input up to the end of the broken line first, and on
// a failure it removes the unfinished line from the file, so a full disk
// costs whole lines.
func (s *fileSink) write(p []byte) (int, error) {
	skipped := 0
	if s.resync {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return 0, nil
		}
		skipped, s.resync = i+1, false
	}
	n, err := s.writeRotating(p[skipped:])
	var rerr *rotateError
	if err != nil && !errors.As(err, &rerr) {
		n -= int(s.dropPartialLine())
		s.resync = len(p) > 0 && p[len(p)-1] != '\n'
	}
	return n, err
}

// dropPartialLine truncates the file after its last newline and returns
// how many bytes that removed.
func (s *fileSink) dropPartialLine() int64 {
	if !s.regular || s.f == nil {
		return 0
	}
	carry, err := s.partialLine()
	k := int64(len(carry))
	if err != nil || k == 0 || s.f.Truncate(s.size-k) != nil {
		return 0
	}
	s.size -= k
	if _, err := s.f.Seek(s.size, io.SeekStart); err != nil {
		return 0
	}
	return k
}

func (s *fileSink) writeRotating(p []byte) (int, error) {
	if err := s.ensureOpen(); err != nil {
		return 0, err
	}
	s.checkReplaced()
	if !s.rotating() {
		n, err := s.f.Write(p)
		s.size += int64(n)
		return n, err
	}
	done := 0
	for len(p) > 0 {
		chunk := p[:min(int64(len(p)), s.room())]
		n, err := s.f.Write(chunk)
		s.size += int64(n)
		done += n
		if err != nil {
			return done, err
		}
		p = p[n:]
		if s.size >= s.limit {
			if err := s.rotateAtLine(); err != nil {
				m, werr := s.f.Write(p) // keep going in the old file
				s.size += int64(m)
				if werr != nil {
					return done + m, werr
				}
				return done + m, err
			}
		}
	}
	return done, nil
}

// checkReplaced reopens the path when the open file was removed or replaced
// (logrotate without a signal), at most once per checkEvery.
func (s *fileSink) checkReplaced() {
	if s.size-s.checkedAt < checkEveryBytes && time.Since(s.checkedT) < checkEveryTime {
		return
	}
	s.checkedAt, s.checkedT = s.size, time.Now()
	if s.same() {
		return
	}
	_ = s.reopen() // on failure the old file stays; the next check retries
}

// same reports whether s.path still names the open file.
func (s *fileSink) same() bool {
	a, err := s.f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(s.path)
	return err == nil && os.SameFile(a, b)
}

// reopen opens the path again (created if missing) and appends to it, for
// logrotate's move-and-signal and for files removed behind our back. A
// file not opened yet has nothing to reopen.
func (s *fileSink) reopen() error {
	if s.f == nil {
		return nil
	}
	old, oldFd, oldKind := s.f, s.fd, s.kind
	s.kind = Append
	err := s.open(false)
	s.kind = oldKind
	if err != nil {
		s.f, s.fd = old, oldFd
		s.cur.Store(old)
		return err
	}
	old.Close() // its data is written; nothing to do if closing fails
	return nil
}

// rotateAtLine starts a new file. The bytes after the last newline of the
// current file (the start of a line still being written) move to the new
// file, so no line is split; a file without any newline is cut where it is.
func (s *fileSink) rotateAtLine() error {
	if !s.regular || s.f == nil {
		return nil
	}
	carry, err := s.partialLine()
	if err != nil {
		return s.rotateFailed(err)
	}
	if s.maxBytes > 0 && int64(len(carry)) >= s.maxBytes {
		carry = nil // a line too long for any file is cut here
	}
	// Truncate before renaming, so that a follower sees the carried bytes
	// leave this file before it sees the next one.
	keep := s.size - int64(len(carry))
	if s.backups <= 0 {
		keep = 0
	}
	if err := s.f.Truncate(keep); err != nil {
		return s.rotateFailed(err)
	}
	if err := s.nextFile(keep, carry); err != nil {
		return s.rotateFailed(err)
	}
	s.limit = s.maxBytes
	if len(carry) > 0 {
		n, err := s.f.Write(carry)
		s.size += int64(n)
		return err
	}
	return nil
}

// A rotateError is a failed rotation: the data is written, to a file that
// grows past its limit.
type rotateError struct{ err error }

func (e *rotateError) Error() string { return e.err.Error() }
func (e *rotateError) Unwrap() error { return e.err }

// nextFile starts the next file after the current one was truncated to
// keep bytes: NAME becomes NAME.1 and a new NAME is opened, or with no
// backups the same file starts over. If that fails, writing goes on in the
// current file, carried bytes put back.
func (s *fileSink) nextFile(keep int64, carry []byte) error {
	if s.backups <= 0 {
		_, err := s.f.Seek(0, io.SeekStart)
		s.size = 0
		return err
	}
	old := s.f
	err := s.shiftBackups()
	if err == nil {
		err = s.open(true)
	}
	if err != nil {
		old.Seek(keep, io.SeekStart)
		s.size = keep
		if _, werr := old.Write(carry); werr == nil {
			s.size += int64(len(carry))
		}
		return err
	}
	old.Close() // its data is written; nothing to do if closing fails
	return nil
}

// rotateFailed lets the file grow by another maxBytes before trying again,
// so a failing rename does not turn every write into a retry.
func (s *fileSink) rotateFailed(err error) error {
	s.limit = s.size + max(s.maxBytes, 1)
	return &rotateError{fmt.Errorf("rotating log file %s: %w", s.path, err)}
}

// shiftBackups renames NAME.i to NAME.i+1 down to NAME to NAME.1. The
// oldest backup is first renamed aside, to .NAME.expired, and removed by
// another goroutine: on a disk, freeing its blocks takes long enough to slow
// the copier by a third.
func (s *fileSink) shiftBackups() error {
	expired := filepath.Join(filepath.Dir(s.path), "."+filepath.Base(s.path)+".expired")
	if os.Rename(backupName(s.path, s.backups), expired) == nil {
		s.removing.Add(1)
		go func() {
			defer s.removing.Done()
			os.Remove(expired)
		}()
	}
	for i := s.backups - 1; i >= 1; i-- {
		err := os.Rename(backupName(s.path, i), backupName(s.path, i+1))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	err := os.Rename(s.path, backupName(s.path, 1))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func backupName(path string, i int) string { return path + "." + strconv.Itoa(i) }

// maxCarry bounds the unfinished line that moves to the next file at a
// rotation: a longer line is cut, and the backward search for the last
// newline reads at most this much.
const maxCarry = 1 << 20

// partialLine returns the bytes after the file's last newline, reading
// backwards from its end; nil when it ends with a newline, or has none in
// its last maxCarry bytes.
func (s *fileSink) partialLine() ([]byte, error) {
	nl, err := lastNewline(s.f, s.size, maxCarry)
	if err != nil || nl < 0 || nl == s.size {
		return nil, err // no newline: one line longer than the limit or maxCarry, cut here
	}
	carry := make([]byte, s.size-nl)
	_, err = s.f.ReadAt(carry, nl)
	return carry, err
}

func (s *fileSink) close() error {
	s.removing.Wait()
	if s.f == nil {
		return nil // never written: no file
	}
	return s.f.Close()
}

// abort makes a write stuck on a FIFO or device return, for Close. Writes
// to a regular file do not wait on a reader and are left alone.
func (s *fileSink) abort() {
	if f := s.cur.Load(); f != nil {
		f.SetWriteDeadline(time.Unix(1, 0))
	}
}
