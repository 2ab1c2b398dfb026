package bus

import (
	"container/list"
	"errors"
	"fmt"
	"io"
	"net"
	"os/user"
	"strconv"
	"sync"
	"syscall"
)

// A conn is one client connection. Its reader goroutine (serve) owns the
// read side and does all the routing of what the client sends; other
// goroutines only queue messages for it (send) or close it.
type conn struct {
	srv  *Server
	nc   *net.UnixConn
	raw  syscall.RawConn
	cred Cred // read when accepted; immutable

	groupsOnce sync.Once
	groups     []uint32 // supplementary groups, looked up on first use

	// Owned by the reader goroutine.
	rbuf   []byte  // pooled read buffer, nil while no bytes are unread
	rbufp  *[]byte // rbuf's pool entry
	r, w   int     // unread bytes are rbuf[r:w]
	fds    []int   // received descriptors no message has claimed yet
	large  int     // bytes of a large message charged to budget, until dispatched
	oob    []byte  // control-message buffer for recvmsg
	rs     recvState
	recvFn func(uintptr) bool // c.recvOnce, bound once

	// Written by the reader goroutine during authentication, before the
	// connection is registered under srv.mu; read-only after.
	unixFD bool       // the client negotiated descriptor passing
	budget *uidBudget // its uid's byte budget; nil until authenticated

	// Guarded by srv.imu.
	incomplete *list.Element // position in srv.incomplete while authenticating

	// Guarded by srv.mu. name and id are set by Hello and never change.
	name    string
	id      uint64
	counted bool         // counted in srv.perUID
	rules   []*matchRule // AddMatch rules (or a monitor's rules)
	owned   int          // names this connection owns or queues for
	monitor bool         // BecomeMonitor was called

	// Guarded by pmu: method calls waiting for a reply through the bus.
	pmu   sync.Mutex
	calls map[uint32]*conn    // serial of a call c made → the callee
	owes  map[pendingKey]bool // calls c must reply to
	gone  bool                // c has disconnected; nothing new is recorded

	// Guarded by wmu: the outgoing queue (see send.go).
	wmu      sync.Mutex
	ws       sendState
	sendFn   func(uintptr) bool // c.sendOnce, bound once
	queue    []outMsg
	qoff     int // bytes of queue[0] already written
	qbytes   int // bytes queued, counted as in MaxOutgoingBytes
	flushing bool
	closed   bool
}

// pendingKey names one method call: the caller's connection id and the
// call's serial.
type pendingKey struct {
	caller uint64
	serial uint32
}

func newConn(s *Server, nc *net.UnixConn, cred Cred) (*conn, error) {
	raw, err := nc.SyscallConn()
	if err != nil {
		return nil, err
	}
	c := &conn{srv: s, nc: nc, raw: raw, cred: cred, oob: make([]byte, oobSize)}
	c.recvFn, c.sendFn = c.recvOnce, c.sendOnce
	return c, nil
}

// describe names c for log lines.
func (c *conn) describe() string {
	name := c.name // set once at Hello, before any other goroutine can reach c
	if name == "" {
		name = "unregistered connection"
	}
	return fmt.Sprintf("%s (pid %d, uid %d)", name, c.cred.PID, c.cred.UID)
}

// groupIDs returns c's supplementary groups from the user database, as
// dbus-daemon does where the kernel does not report them.
func (c *conn) groupIDs() []uint32 {
	c.groupsOnce.Do(func() {
		u, err := user.LookupId(strconv.FormatUint(uint64(c.cred.UID), 10))
		if err != nil {
			c.groups = []uint32{c.cred.GID}
			return
		}
		ids, _ := u.GroupIds()
		for _, s := range ids {
			if g, err := strconv.ParseUint(s, 10, 32); err == nil {
				c.groups = append(c.groups, uint32(g))
			}
		}
	})
	return c.groups
}

// fullCred is c's credentials with the groups filled in.
func (c *conn) fullCred() Cred {
	cr := c.cred
	cr.Groups = c.groupIDs()
	return cr
}

// serve runs c: authentication, then one message after another until the
// client goes away or breaks the protocol. It cleans up everything c holds.
func (c *conn) serve() {
	defer c.srv.wg.Done()
	defer c.cleanup()
	if err := c.authenticate(c.srv.limits.AuthTimeout); err != nil {
		if !isDisconnect(err) {
			c.srv.logf("bus: pid %d uid %d: authentication failed: %v", c.cred.PID, c.cred.UID, err)
		}
		return
	}
	if !c.srv.authenticated(c) {
		return
	}
	for {
		msg, fds, err := c.readMessage()
		if err == nil {
			err = c.srv.dispatch(c, msg, fds)
		}
		c.budget.give(c.large)
		c.large = 0
		if err != nil {
			if !isDisconnect(err) {
				c.srv.logf("bus: %s: %v; disconnecting", c.describe(), err)
			}
			return
		}
	}
}

// isDisconnect reports whether err is the peer (or the bus) closing the
// connection rather than something worth logging.
func isDisconnect(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// cleanup runs when serve returns: it closes the socket, releases names,
// fails calls waiting on c, and returns buffers.
func (c *conn) cleanup() {
	c.close()
	c.srv.forget(c)
	c.failPending()
	closeFDs(c.fds)
	c.fds = nil
	c.budget.give(c.large)
	c.large = 0
	c.r, c.w = 0, 0
	c.releaseIfEmpty()
}
