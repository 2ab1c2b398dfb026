//go:build !linux

package journal

// splice is not available here: the caller always copies through a buffer.
func splice(src, dst int, max int64) (n int64, rest []byte, handled bool, err error) {
	return 0, nil, false, nil
}

// growPipe is a no-op here: the pipe keeps its size.
func growPipe(fd int) bool { return false }

func releasePipe() {}

// pipeBuffered reports false: with no splice here, a file not open yet is
// opened by its first write, which happens only for bytes.
func pipeBuffered(fd int) bool { return false }
