package bus

import "golang.org/x/sys/unix"

// peerCred reads the credentials of the peer of the unix socket fd
// (LOCAL_PEERCRED for the ids, LOCAL_PEERPID for the process).
func peerCred(fd int) (Cred, error) {
	x, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return Cred{}, err
	}
	c := Cred{UID: x.Uid}
	if x.Ngroups > 0 {
		c.GID = x.Groups[0]
	}
	if pid, err := unix.GetsockoptInt(fd, unix.SOL_LOCAL, unix.LOCAL_PEERPID); err == nil {
		c.PID = int32(pid)
	}
	return c, nil
}

// recvFlags is 0: macOS has no MSG_CMSG_CLOEXEC; received descriptors are
// forwarded and closed without any exec in between.
const recvFlags = 0
