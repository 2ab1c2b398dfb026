//go:build linux || freebsd || openbsd || netbsd

package bus

import "golang.org/x/sys/unix"

// recvmsg reads from a socket; descriptors that arrive are close-on-exec
// atomically (MSG_CMSG_CLOEXEC), so a child the manager spawns meanwhile
// cannot inherit them.
func recvmsg(fd int, p, oob []byte) (n, oobn, flags int, err error) {
	n, oobn, flags, _, err = unix.Recvmsg(fd, p, oob, unix.MSG_CMSG_CLOEXEC)
	return n, oobn, flags, err
}
