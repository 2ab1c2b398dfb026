package bus

import "golang.org/x/sys/unix"

// peerCred reads the credentials of the peer of the unix socket fd, as they
// were when it connected (SO_PEERCRED).
func peerCred(fd int) (Cred, error) {
	u, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return Cred{}, err
	}
	return Cred{UID: u.Uid, GID: u.Gid, PID: u.Pid}, nil
}
