package bus

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// peerCred reads the credentials of the peer of the unix socket fd
// (SO_PEERCRED, a struct sockpeercred {uid, gid, pid}). x/sys/unix has no
// typed getter for it, so the 12 bytes are read through the 20-byte
// IPv6Mreq getter and decoded here.
func peerCred(fd int) (Cred, error) {
	m, err := unix.GetsockoptIPv6Mreq(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return Cred{}, err
	}
	b := m.Multiaddr[:12]
	return Cred{
		UID: binary.NativeEndian.Uint32(b[0:4]),
		GID: binary.NativeEndian.Uint32(b[4:8]),
		PID: int32(binary.NativeEndian.Uint32(b[8:12])),
	}, nil
}
