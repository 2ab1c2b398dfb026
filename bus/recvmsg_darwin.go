package bus

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// recvmsg reads from a socket. macOS has no MSG_CMSG_CLOEXEC, so, as the
// standard library does for accept, the read holds syscall.ForkLock while
// received descriptors are marked close-on-exec: no child spawned meanwhile
// can inherit them.
func recvmsg(fd int, p, oob []byte) (n, oobn, flags int, err error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	n, oobn, flags, _, err = unix.Recvmsg(fd, p, oob, 0)
	if oobn > 0 {
		if msgs, perr := unix.ParseSocketControlMessage(oob[:oobn]); perr == nil {
			for i := range msgs {
				fds, _ := unix.ParseUnixRights(&msgs[i])
				for _, d := range fds {
					unix.CloseOnExec(d)
				}
			}
		}
	}
	return n, oobn, flags, err
}
