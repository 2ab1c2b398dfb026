package bus

import "golang.org/x/sys/unix"

// peerCred reads the credentials of the peer of the unix socket fd
// (LOCAL_PEERCRED, a struct xucred; it carries no pid on older releases, so
// PID stays 0).
func peerCred(fd int) (Cred, error) {
	x, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return Cred{}, err
	}
	c := Cred{UID: x.Uid}
	if x.Ngroups > 0 {
		c.GID = x.Groups[0]
	}
	return c, nil
}

// recvFlags makes received descriptors close-on-exec atomically.
const recvFlags = unix.MSG_CMSG_CLOEXEC
