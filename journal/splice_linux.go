package journal

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// splice moves up to max bytes from the pipe src to the file fd dst at
// dst's current offset, without copying through user space. It never waits
// for the pipe: with nothing to read it returns errWouldBlock. The bytes go
// through a relay pipe of ours: splicing a pipe into a file holds the
// pipe's lock for the whole file write, which would stall the child
// writing to src meanwhile, while moving pages from pipe to pipe is quick.
// rest holds bytes taken from src that the file did not take (on error,
// or when it cannot be spliced into: handled false), for the caller to
// write; handled is false when nothing was taken and the caller copies.
func splice(src, dst int, max int64) (n int64, rest []byte, handled bool, err error) {
	rl, err := getRelay()
	if err != nil {
		return 0, nil, false, nil // no pipe to spare: copy through user space
	}
	m, err := spliceNonblock(src, rl.w, min(max, spliceMax))
	if err != nil || m == 0 {
		putRelay(rl)
		return 0, nil, true, err
	}
	handled = true
	for n < m {
		k, serr := unix.Splice(rl.r, nil, dst, nil, int(m-n), unix.SPLICE_F_MOVE)
		if serr == unix.EINTR {
			continue
		}
		if serr == unix.EINVAL || serr == unix.ENOSYS {
			handled = false // this file cannot be spliced into
			break
		}
		if serr == nil && k == 0 {
			serr = io.ErrShortWrite
		}
		if serr != nil {
			err = serr
			break
		}
		n += k
	}
	if n < m {
		rest = make([]byte, m-n)
		if _, rerr := io.ReadFull(relayReader(rl.r), rest); rerr != nil {
			closeRelay(rl) // it may still hold bytes
			return n, rest, handled, errors.Join(err, rerr)
		}
	}
	putRelay(rl)
	return n, rest, handled, err
}

// spliceNonblock moves what the pipe src holds, up to max bytes, to the
// pipe dst; errWouldBlock when src is empty.
func spliceNonblock(src, dst int, max int64) (int64, error) {
	for {
		m, err := unix.Splice(src, nil, dst, nil, int(max), unix.SPLICE_F_NONBLOCK|unix.SPLICE_F_MOVE)
		switch {
		case err == nil:
			return m, nil
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, errWouldBlock
		}
		return 0, err
	}
}

// A relay is a spare pipe between a child's pipe and a file; see splice.
type relay struct{ r, w int }

// relays keeps a few empty relays for the next splice; more are made when
// more copiers splice at once, and closed when they come back to a full
// list.
var relays struct {
	sync.Mutex
	free []relay
}

const maxSpareRelays = 4

func getRelay() (relay, error) {
	relays.Lock()
	if n := len(relays.free); n > 0 {
		rl := relays.free[n-1]
		relays.free = relays.free[:n-1]
		relays.Unlock()
		return rl, nil
	}
	relays.Unlock()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return relay{}, err
	}
	// Best effort: a relay of the default size moves 64 KiB per splice.
	unix.FcntlInt(uintptr(p[0]), unix.F_SETPIPE_SZ, spliceMax)
	return relay{p[0], p[1]}, nil
}

// putRelay keeps an empty relay for later, or closes it.
func putRelay(rl relay) {
	relays.Lock()
	if len(relays.free) < maxSpareRelays {
		relays.free = append(relays.free, rl)
		rl = relay{-1, -1}
	}
	relays.Unlock()
	if rl.r >= 0 {
		closeRelay(rl)
	}
}

func closeRelay(rl relay) {
	unix.Close(rl.r)
	unix.Close(rl.w)
}

// relayReader reads the non-blocking relay fd, which holds what the
// caller reads from it.
type relayReader int

func (r relayReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(r), p)
		if err == unix.EINTR {
			continue
		}
		if n == 0 && err == nil {
			return 0, io.ErrUnexpectedEOF
		}
		return max(n, 0), err
	}
}

// grownPipeMax is the capacity a busy stream's pipe grows to. A writer then
// runs ahead of the copier instead of waiting for it at every 64 KiB, and
// the copier moves large batches: for 100-byte writes this cuts the
// copier's CPU per byte by more than half.
const grownPipeMax = 1 << 20

// grownPipes counts the pipes grown, for the limits below.
var grownPipes atomic.Int32

// At most this many pipes grow at once: a full grown pipe holds 1 MiB of
// kernel memory, so the bound caps what slow sinks can pin. A manager that
// is not root also stays well within the kernel's per-user budget for pipe
// buffers (/proc/sys/fs/pipe-user-pages-soft, 64 MiB by default), past
// which the kernel would give every new pipe of that user a single page.
const (
	maxGrownPipesRoot = 64
	maxGrownPipesUser = 16
)

// growPipe raises the capacity of the pipe fd to grownPipeMax, best effort;
// it reports whether the pipe grew, in which case the caller calls
// releasePipe once the pipe is closed.
func growPipe(fd int) bool {
	limit := int32(maxGrownPipesUser)
	if os.Geteuid() == 0 {
		limit = maxGrownPipesRoot
	}
	if grownPipes.Add(1) > limit {
		grownPipes.Add(-1)
		return false
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, grownPipeMax); err != nil {
		grownPipes.Add(-1)
		return false
	}
	return true
}

// releasePipe gives back a grown pipe's place in grownPipes.
func releasePipe() { grownPipes.Add(-1) }

// pipeBuffered reports whether the pipe fd holds bytes (or cannot tell),
// so that a log file is created only for bytes, not at end of input.
func pipeBuffered(fd int) bool {
	n, err := unix.IoctlGetInt(fd, unix.TIOCINQ) // FIONREAD
	return err != nil || n > 0
}
