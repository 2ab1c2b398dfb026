package bus

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// An outMsg is one marshalled message on its way to one connection. data is
// shared (read-only) between the recipients of a broadcast; fds belong to
// this copy and are closed once sent or dropped.
type outMsg struct {
	data []byte
	fds  []int
}

// queueOverhead is what one queued message counts against MaxOutgoingBytes
// besides its bytes, so that a flood of tiny messages is bounded too.
const queueOverhead = 64

// maxBatch is how many queued messages one writev gathers.
const maxBatch = 64

// send queues m for c without ever blocking the caller: when nothing is
// queued it writes at once (non-blocking); what the socket does not take
// waits in the queue for c's flusher goroutine, started on demand. If the
// queue would exceed MaxOutgoingBytes, c is disconnected instead: a client
// that does not read what it asked for (replies, subscribed signals) loses
// its connection, and nobody else waits for it.
func (c *conn) send(m outMsg) { c.enqueue(m, true) }

// offer queues a method call for c like send, but when c's queue is full
// it refuses the call (false, leaving m.fds to the caller) instead of
// disconnecting c: a flood of calls must not cost the callee its
// connection. The caller is answered LimitsExceeded.
func (c *conn) offer(m outMsg) bool { return c.enqueue(m, false) }

func (c *conn) enqueue(m outMsg, dropIfFull bool) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		closeFDs(m.fds)
		return true
	}
	size := len(m.data) + queueOverhead
	if len(c.queue) > 0 && c.qbytes+size > c.srv.limits.MaxOutgoingBytes {
		return c.refuse(m, dropIfFull, fmt.Sprintf("does not read its messages (%d bytes queued)", c.qbytes))
	}
	if !c.flushing && len(c.queue) == 0 {
		n, err := c.writeNow(&m, 0)
		if err != nil && err != unix.EAGAIN {
			c.closeLocked()
			closeFDs(m.fds)
			return true
		}
		if n == len(m.data) {
			closeFDs(m.fds)
			return true
		}
		if n > 0 {
			closeFDs(m.fds)
			m.fds = nil
			dropIfFull = true // half written: the rest must follow or c must go
		}
		c.qoff = n
	}
	if !c.budget.take(size, c.srv.limits.MaxBytesPerUID) {
		return c.refuse(m, dropIfFull, fmt.Sprintf("would make uid %d's connections hold more than %d bytes in the bus", c.cred.UID, c.srv.limits.MaxBytesPerUID))
	}
	c.queue = append(c.queue, m)
	c.qbytes += size
	if !c.flushing {
		c.flushing = true
		c.srv.wg.Add(1) // c is open, so its serve goroutine still holds the group
		go c.flush()
	}
	return true
}

// sendState is what sendOnce reports. Guarded by wmu.
type sendState struct {
	data, oob []byte
	n         int
	err       error
}

// refuse handles a message that does not fit: with drop, c is
// disconnected (why says why) and m discarded; otherwise the caller keeps
// m and is told false. c.wmu must be held.
func (c *conn) refuse(m outMsg, drop bool, why string) bool {
	if !drop {
		return false
	}
	c.srv.logf("bus: %s %s; disconnecting", c.describe(), why)
	c.closeLocked()
	closeFDs(m.fds)
	return true
}

// writeNow makes one non-blocking attempt to write m from offset off.
// c.wmu must be held.
func (c *conn) writeNow(m *outMsg, off int) (int, error) {
	c.ws = sendState{data: m.data[off:], oob: rights(m.fds, off)}
	err := c.raw.Write(c.sendFn)
	ws := c.ws
	c.ws = sendState{}
	if err == nil {
		err = ws.err
	}
	if err != nil {
		return 0, err
	}
	return ws.n, nil
}

// sendOnce is the poller callback of writeNow, bound once per connection;
// it never waits (returns true even on EAGAIN).
func (c *conn) sendOnce(fd uintptr) bool {
	for {
		if c.ws.oob == nil {
			c.ws.n, c.ws.err = unix.Write(int(fd), c.ws.data)
		} else {
			c.ws.n, c.ws.err = unix.SendmsgN(int(fd), c.ws.data, c.ws.oob, nil, 0)
		}
		if c.ws.err != unix.EINTR {
			return true
		}
	}
}

// rights returns the control message passing fds with a message's first byte.
func rights(fds []int, off int) []byte {
	if len(fds) == 0 || off > 0 {
		return nil
	}
	return unix.UnixRights(fds...)
}

func sendmsg(fd int, bufs [][]byte, oob []byte) (int, error) {
	for {
		n, err := unix.SendmsgBuffers(fd, bufs, oob, nil, 0)
		if err == unix.EINTR {
			continue
		}
		return n, err
	}
}

// flush drains c's queue, blocking in the poller while the socket is full.
// It runs only while there is a backlog and exits when the queue is empty.
func (c *conn) flush() {
	defer c.srv.wg.Done()
	var bufs [][]byte
	for {
		c.wmu.Lock()
		if c.closed || len(c.queue) == 0 {
			c.flushing = false
			c.wmu.Unlock()
			return
		}
		bufs = bufs[:0]
		var oob []byte
		for i, m := range c.queue[:min(len(c.queue), maxBatch)] {
			if i > 0 && len(m.fds) > 0 {
				break // descriptors ride on their message's first byte
			}
			off := 0
			if i == 0 {
				off = c.qoff
				oob = rights(m.fds, off)
			}
			bufs = append(bufs, m.data[off:])
		}
		c.wmu.Unlock()

		var n int
		var werr error
		err := c.raw.Write(func(fd uintptr) bool {
			n, werr = sendmsg(int(fd), bufs, oob)
			return werr != unix.EAGAIN
		})
		if err == nil {
			err = werr
		}
		c.wmu.Lock()
		if err != nil {
			c.closeLocked()
		} else {
			c.advance(n)
		}
		c.wmu.Unlock()
	}
}

// advance drops the first n written bytes from the queue. c.wmu must be held.
func (c *conn) advance(n int) {
	for n > 0 && len(c.queue) > 0 {
		m := &c.queue[0]
		if c.qoff == 0 && len(m.fds) > 0 {
			closeFDs(m.fds)
			m.fds = nil
		}
		left := len(m.data) - c.qoff
		if n < left {
			c.qoff += n
			return
		}
		n -= left
		c.qbytes -= len(m.data) + queueOverhead
		c.budget.give(len(m.data) + queueOverhead)
		c.queue[0] = outMsg{}
		c.queue = c.queue[1:]
		c.qoff = 0
	}
	if len(c.queue) == 0 {
		c.queue = nil
	}
}

// closeLocked disconnects c: it drops the queue and closes the socket, which
// makes c's reader goroutine return and clean up. c.wmu must be held.
func (c *conn) closeLocked() {
	if c.closed {
		return
	}
	c.closed = true
	for _, m := range c.queue {
		closeFDs(m.fds)
	}
	c.budget.give(c.qbytes)
	c.queue, c.qbytes = nil, 0
	c.nc.Close()
}

// close disconnects c from any goroutine.
func (c *conn) close() {
	c.wmu.Lock()
	c.closeLocked()
	c.wmu.Unlock()
}
