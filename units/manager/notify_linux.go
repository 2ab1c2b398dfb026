package manager

import (
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
)

// notifier is the manager's NOTIFY_SOCKET: one datagram socket for every
// Type=notify unit. The sender is identified by the kernel's credentials
// (SCM_CREDENTIALS), never by what the message says.
type notifier struct {
	m    *Manager
	conn *net.UnixConn
	name string // abstract address, "@svunit/notify/…"
}

func newNotifier(m *Manager) (*notifier, error) {
	name := fmt.Sprintf("@svunit/notify/%d/%s", os.Getpid(), newInvocationID()[:8])
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	rc, err := conn.SyscallConn()
	if err == nil {
		ctlErr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)
		})
		if ctlErr != nil {
			err = ctlErr
		}
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("SO_PASSCRED: %v", err)
	}
	n := &notifier{m: m, conn: conn, name: name}
	go n.serve()
	return n, nil
}

func (n *notifier) addr() string { return n.name }

func (n *notifier) close() { n.conn.Close() }

// serve reads datagrams until the socket is closed; it blocks in the
// runtime's poller, so an idle socket costs no wake-ups.
func (n *notifier) serve() {
	buf := make([]byte, 4096)
	oob := make([]byte, syscall.CmsgSpace(syscall.SizeofUcred))
	for {
		nb, noob, _, _, err := n.conn.ReadMsgUnix(buf, oob)
		if err != nil {
			return
		}
		pid := senderPID(oob[:noob])
		if pid <= 0 {
			continue
		}
		n.m.notified(pid, parseNotify(string(buf[:nb])))
	}
}

// senderPID extracts the pid of SCM_CREDENTIALS, or 0.
func senderPID(oob []byte) int {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for i := range msgs {
		if cred, err := syscall.ParseUnixCredentials(&msgs[i]); err == nil {
			return int(cred.Pid)
		}
	}
	return 0
}

// parseNotify splits "READY=1\nSTATUS=…" into fields.
func parseNotify(msg string) map[string]string {
	f := make(map[string]string)
	for _, line := range strings.Split(msg, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			f[k] = v
		}
	}
	return f
}
