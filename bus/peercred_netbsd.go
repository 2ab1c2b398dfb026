package bus

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// localPeerEID is NetBSD's LOCAL_PEEREID socket option (sys/un.h), which
// x/sys/unix does not name.
const localPeerEID = 3

// peerCred reads the credentials of the peer of the unix socket fd
// (LOCAL_PEEREID, a struct unpcbid {pid, euid, egid}). x/sys/unix has no
// typed getter for it, so the 12 bytes are read through the 20-byte
// IPv6Mreq getter and decoded here.
func peerCred(fd int) (Cred, error) {
	m, err := unix.GetsockoptIPv6Mreq(fd, 0, localPeerEID)
	if err != nil {
		return Cred{}, err
	}
	b := m.Multiaddr[:12]
	return Cred{
		PID: int32(binary.NativeEndian.Uint32(b[0:4])),
		UID: binary.NativeEndian.Uint32(b[4:8]),
		GID: binary.NativeEndian.Uint32(b[8:12]),
	}, nil
}
