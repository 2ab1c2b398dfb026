package journal

import (
	"errors"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// splice moves up to max bytes from the pipe fd src to the file fd dst at
// dst's current offset, without copying through user space. It never waits
// for the pipe: with nothing to read it returns errWouldBlock. handled is
// false when this kernel or file cannot splice, and the caller copies instead.
func splice(src, dst int, max int64) (n int64, handled bool, err error) {
	if max > spliceMax {
		max = spliceMax
	}
	for {
		m, err := unix.Splice(src, nil, dst, nil, int(max), unix.SPLICE_F_NONBLOCK|unix.SPLICE_F_MOVE)
		switch {
		case err == nil:
			return m, true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			return 0, true, errWouldBlock
		case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
			return 0, false, nil
		}
		return 0, true, err
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
