package bus

import (
	"io"
	"sync"

	"golang.org/x/sys/unix"
)

// readBufSize is the pooled buffer a connection reads into. A connection
// holds one only while it has unread bytes, so idle connections cost none.
const readBufSize = 4096

var readBufPool = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// oobSize fits one control message carrying the most descriptors a message
// may carry; more are truncated by the kernel (and closed by it).
var oobSize = unix.CmsgSpace(4 * MaxUnixFDsPerMessage)

// fill reads more bytes from the socket into c.rbuf, collecting any file
// descriptors that come with them. It blocks in the runtime's poller, not
// on a buffer: c.rbuf is taken from the pool only once the socket is readable.
func (c *conn) fill() error {
	if c.r == c.w {
		c.r, c.w = 0, 0
	} else if c.r > 0 && len(c.rbuf)-c.w < fixedHeaderLen {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
	}
	n, err := c.recv(nil)
	c.w += n
	return err
}

// recvState is what recvOnce reports; owned by the reader goroutine.
type recvState struct {
	dst   []byte // where to read; nil means c.rbuf[c.w:]
	n     int
	oobn  int
	flags int
	err   error
}

// recv reads once into dst (or the pooled buffer), blocking in the poller
// until the socket is readable, and takes the descriptors that came along.
func (c *conn) recv(dst []byte) (int, error) {
	c.rs = recvState{dst: dst}
	err := c.raw.Read(c.recvFn)
	rs := c.rs
	c.rs.dst = nil
	if err == nil {
		err = rs.err
	}
	if rs.oobn > 0 {
		if ferr := c.takeFDs(c.oob[:rs.oobn], rs.flags); ferr != nil && err == nil {
			err = ferr
		}
	}
	if err == nil && rs.n == 0 {
		err = io.EOF
	}
	if err != nil {
		return 0, err
	}
	return rs.n, nil
}

// recvOnce is the poller callback of recv, bound once per connection (a
// closure per read would allocate).
func (c *conn) recvOnce(fd uintptr) bool {
	dst := c.rs.dst
	if dst == nil {
		if c.rbuf == nil {
			c.rbufp = readBufPool.Get().(*[]byte)
			c.rbuf = *c.rbufp
		}
		dst = c.rbuf[c.w:]
	}
	c.rs.n, c.rs.oobn, c.rs.flags, c.rs.err = recvmsg(int(fd), dst, c.oob)
	if c.rs.err == unix.EAGAIN {
		if c.rs.dst == nil {
			c.releaseIfEmpty()
		}
		return false
	}
	return true
}

// releaseIfEmpty returns the read buffer to the pool when it holds no unread
// bytes.
func (c *conn) releaseIfEmpty() {
	if c.rbuf != nil && c.r == c.w {
		readBufPool.Put(c.rbufp)
		c.rbuf, c.rbufp, c.r, c.w = nil, nil, 0, 0
	}
}

// takeFDs appends the descriptors in a control message to c.fds.
func (c *conn) takeFDs(oob []byte, flags int) error {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return err
	}
	for i := range msgs {
		fds, err := unix.ParseUnixRights(&msgs[i])
		if err != nil {
			continue
		}
		c.fds = append(c.fds, fds...)
	}
	if flags&unix.MSG_CTRUNC != 0 {
		return protoErrorf("more than %d file descriptors in one message", c.srv.limits.MaxUnixFDsPerMessage)
	}
	if len(c.fds) > c.srv.limits.MaxUnixFDsPerMessage {
		// Descriptors ride with their message's bytes, so more than one
		// message's worth waiting means a client sending descriptors no
		// message claims: stop before they exhaust the bus's table.
		return protoErrorf("%d file descriptors arrived that no message claims", len(c.fds))
	}
	if !c.unixFD && len(c.fds) > 0 {
		return protoErrorf("file descriptors sent without NEGOTIATE_UNIX_FD")
	}
	return nil
}

// closeFDs closes descriptors the bus received but will not forward.
func closeFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// readMessage reads one complete message. The returned slice is valid until
// the next call; fds are the descriptors that arrived with it, now owned by
// the caller.
func (c *conn) readMessage() (msg []byte, fds []int, err error) {
	for c.w-c.r < fixedHeaderLen {
		if err := c.fill(); err != nil {
			if err == io.EOF && c.w > c.r {
				err = io.ErrUnexpectedEOF
			}
			return nil, nil, err
		}
	}
	total, err := frameLen(c.rbuf[c.r:c.r+fixedHeaderLen], c.srv.limits.MaxMessageSize)
	if err != nil {
		return nil, nil, err
	}
	if total <= len(c.rbuf) {
		if c.r+total > len(c.rbuf) {
			c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
			c.r = 0
		}
		for c.w-c.r < total {
			if err := c.fill(); err != nil {
				return nil, nil, unexpected(err)
			}
		}
		msg = c.rbuf[c.r : c.r+total]
		c.r += total
	} else if msg, err = c.readLarge(total); err != nil {
		return nil, nil, err
	}
	fds, err = c.claimFDs(msg)
	return msg, fds, err
}

// readLarge reads a message bigger than the read buffer into its own
// buffer, grown as bytes arrive so that a length the client claims but does
// not send costs nothing.
func (c *conn) readLarge(total int) ([]byte, error) {
	msg := make([]byte, c.w-c.r)
	copy(msg, c.rbuf[c.r:c.w])
	c.r = c.w
	c.releaseIfEmpty()
	for len(msg) < total {
		if len(msg) == cap(msg) {
			grown := make([]byte, len(msg), min(total, max(64<<10, 2*cap(msg))))
			if !c.budget.take(cap(grown)-cap(msg), c.srv.limits.MaxBytesPerUID) {
				return nil, protoErrorf("uid %d's connections would make the bus hold more than %d bytes", c.cred.UID, c.srv.limits.MaxBytesPerUID)
			}
			c.large += cap(grown) - cap(msg)
			copy(grown, msg)
			msg = grown
		}
		n, err := c.recv(msg[len(msg):cap(msg)])
		if err != nil {
			return nil, unexpected(err)
		}
		msg = msg[:len(msg)+n]
	}
	return msg, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// claimFDs takes the descriptors msg announces in its UNIX_FDS header
// field from those received so far. The header is validated later; here
// only the count is needed, and a count above the limit or above what
// arrived is a protocol error.
func (c *conn) claimFDs(msg []byte) ([]int, error) {
	n, err := unixFDCount(msg)
	if err != nil || n == 0 {
		return nil, err
	}
	if n > c.srv.limits.MaxUnixFDsPerMessage {
		return nil, protoErrorf("message carries %d file descriptors, the limit is %d", n, c.srv.limits.MaxUnixFDsPerMessage)
	}
	if n > len(c.fds) {
		return nil, protoErrorf("UNIX_FDS says %d descriptors, %d arrived", n, len(c.fds))
	}
	fds := append([]int(nil), c.fds[:n]...)
	c.fds = append(c.fds[:0], c.fds[n:]...)
	return fds, nil
}

// unixFDCount finds the UNIX_FDS header field of a framed message without
// validating the rest, so descriptors can be assigned to messages in order.
func unixFDCount(msg []byte) (int, error) {
	order, err := byteOrder(msg[0])
	if err != nil {
		return 0, err
	}
	w := walker{b: msg, pos: fixedHeaderLen, end: fixedHeaderLen + int(order.Uint32(msg[12:16])), order: order}
	for w.pos < w.end {
		code, sig, err := w.nextField()
		if err != nil {
			return 0, err
		}
		if code == fieldUnixFDs && sig == "u" {
			if err := w.align(4); err != nil {
				return 0, err
			}
			v, err := w.u32()
			return int(min(v, 1<<20)), err
		}
		if _, err := w.value(sig, 0, 1, 0); err != nil {
			return 0, err
		}
	}
	return 0, nil
}
