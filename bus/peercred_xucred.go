//go:build darwin || freebsd

package bus

import "golang.org/x/sys/unix"

// peerCred reads the credentials of the peer of the unix socket fd from
// LOCAL_PEERCRED (a struct xucred, whose first group is the primary one);
// the pid comes from peerPID.
func peerCred(fd int) (Cred, error) {
	x, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return Cred{}, err
	}
	c := Cred{UID: x.Uid, PID: peerPID(fd)}
	if x.Ngroups > 0 {
		c.GID = x.Groups[0]
	}
	return c, nil
}
