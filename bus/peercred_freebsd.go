package bus

import "golang.org/x/sys/unix"

// peerPID is 0: the xucred of the FreeBSD releases x/sys/unix describes
// carries no pid.
func peerPID(int) int32 { return 0 }

// recvFlags makes received descriptors close-on-exec atomically.
const recvFlags = unix.MSG_CMSG_CLOEXEC
