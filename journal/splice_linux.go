package journal

import (
	"errors"

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
