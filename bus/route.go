package bus

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// busName is the bus driver's own name, and busPath its object.
const (
	busName = "org.freedesktop.DBus"
	busPath = "/org/freedesktop/DBus"
)

// dispatch validates one message from c and routes it. A returned error is
// a protocol violation: the caller disconnects c. fds belong to dispatch.
func (s *Server) dispatch(c *conn, msg []byte, fds []int) error {
	h, bodyOff, err := parseMessage(msg, len(fds))
	if err != nil {
		closeFDs(fds)
		return err
	}
	if h.typ > typeSignal { // unknown message types are ignored
		closeFDs(fds)
		return nil
	}
	if c.name == "" && !isHello(&h) {
		closeFDs(fds)
		return protoErrorf("%s %s.%s sent before Hello", typeName(h.typ), h.iface, h.member)
	}
	if c.monitor {
		closeFDs(fds)
		return protoErrorf("a monitor may not send messages")
	}
	h.sender = c.name
	m := &routed{h: &h, from: c, msg: msg, body: bodyOff}
	if h.dest == busName {
		closeFDs(fds)
		return s.toDriver(c, m)
	}
	if (h.typ == typeMethodCall || h.typ == typeSignal) && s.custom {
		if err := s.checkSend(c, &h); err != nil {
			closeFDs(fds)
			s.replyError(c, &h, errAccessDenied, err.Error())
			return nil
		}
	}
	out := marshal(&h, msg[bodyOff:])
	var dst *conn
	if h.dest == "" {
		s.broadcast(m, out, fds)
	} else {
		dst = s.unicast(c, m, out, fds)
	}
	if s.nwatch.Load() > 0 {
		s.observe(m, out, dst)
	}
	return nil
}

// toDriver handles a message addressed to the bus itself: monitors get a
// copy, and method calls are run.
func (s *Server) toDriver(c *conn, m *routed) error {
	if s.nwatch.Load() > 0 {
		s.observe(m, marshal(m.h, m.msg[m.body:]), nil)
	}
	if m.h.typ == typeMethodCall {
		return s.driverCall(c, m)
	}
	return nil
}

func isHello(h *header) bool {
	return h.typ == typeMethodCall && h.dest == busName && h.member == "Hello" &&
		(h.iface == "" || h.iface == busName)
}

func typeName(t byte) string {
	return [...]string{"message", "method call", "method return", "error", "signal"}[min(int(t), 4)]
}

// checkSend asks the policy about a call or signal. The policy sees the
// header (with SENDER set by the bus); the body is not decoded for it.
func (s *Server) checkSend(c *conn, h *header) error {
	return s.policy.CanSend(c.fullCred(), h.message())
}

// message converts h to a godbus message without a body, copying its
// strings (h's share the read buffer).
func (h *header) message() *dbus.Message {
	m := &dbus.Message{Type: dbus.Type(h.typ), Flags: dbus.Flags(h.flags), Headers: make(map[dbus.HeaderField]dbus.Variant, 8)}
	str := func(f dbus.HeaderField, v string) {
		if v != "" {
			m.Headers[f] = dbus.MakeVariant(strings.Clone(v))
		}
	}
	if h.path != "" {
		m.Headers[dbus.FieldPath] = dbus.MakeVariant(dbus.ObjectPath(strings.Clone(h.path)))
	}
	str(dbus.FieldInterface, h.iface)
	str(dbus.FieldMember, h.member)
	str(dbus.FieldErrorName, h.errName)
	str(dbus.FieldDestination, h.dest)
	str(dbus.FieldSender, h.sender)
	if h.replySerial != 0 {
		m.Headers[dbus.FieldReplySerial] = dbus.MakeVariant(h.replySerial)
	}
	if sig, err := dbus.ParseSignature(h.sig); err == nil && h.sig != "" {
		m.Headers[dbus.FieldSignature] = dbus.MakeVariant(sig)
	}
	if h.unixFDs != 0 {
		m.Headers[dbus.FieldUnixFDs] = dbus.MakeVariant(h.unixFDs)
	}
	return m
}

// unicast delivers a message addressed to one connection and returns it
// (nil if nobody got the message).
func (s *Server) unicast(c *conn, m *routed, out []byte, fds []int) *conn {
	h := m.h
	s.mu.RLock()
	dst := s.lookup(h.dest)
	if dst != nil && dst.monitor {
		dst = nil
	}
	s.mu.RUnlock()
	if dst == nil {
		closeFDs(fds)
		s.replyError(c, h, errServiceUnknown, fmt.Sprintf("The name %s was not provided by any .service files", h.dest))
		return nil
	}
	if len(fds) > 0 && !dst.unixFD {
		closeFDs(fds)
		s.refuseFDs(c, dst, h, len(fds))
		return nil
	}
	switch {
	case h.typ == typeMethodReply || h.typ == typeError:
		if !c.settle(dst, h.replySerial) {
			closeFDs(fds) // not an answer to a call dst made: dropped
			return nil
		}
	case h.wantsReply():
		if err := c.track(dst, h.serial, s.limits.MaxPendingCalls); err != nil {
			closeFDs(fds)
			s.replyError(c, h, errLimitsExceeded, err.Error())
			return nil
		}
	}
	if h.typ != typeMethodCall {
		dst.send(outMsg{data: out, fds: fds})
		return dst
	}
	if !dst.offer(outMsg{data: out, fds: fds}) {
		closeFDs(fds)
		if h.wantsReply() {
			c.untrack(h.serial)
			dst.forgive(c, h.serial)
		}
		s.replyError(c, h, errLimitsExceeded, fmt.Sprintf("The connection %s has more than %d bytes waiting to be read; try again later", dst.describe(), s.limits.MaxOutgoingBytes))
		return nil
	}
	return dst
}

// refuseFDs answers a message from c carrying nfds descriptors that dst
// cannot receive, because dst did not negotiate descriptor passing. A call
// gets NotSupported back. A reply or error reply is dropped, and the caller
// waiting for it (dst) gets NotSupported in its place: nobody else would
// tell it, and the bus has no reply timeout, so it would wait for ever.
func (s *Server) refuseFDs(c, dst *conn, h *header, nfds int) {
	switch h.typ {
	case typeMethodReply, typeError:
		if c.settle(dst, h.replySerial) {
			s.sendError(dst, h.replySerial, errNotSupported, fmt.Sprintf(
				"The reply from %s carried %d unix file descriptors, which this connection cannot receive: it did not negotiate descriptor passing (NEGOTIATE_UNIX_FD) when it authenticated; connect over a unix socket with descriptor passing enabled",
				c.name, nfds))
		}
	default:
		s.replyError(c, h, errNotSupported, fmt.Sprintf(
			"Tried to send a message with %d unix file descriptors to %s, which did not negotiate descriptor passing (NEGOTIATE_UNIX_FD) and cannot receive them",
			nfds, dst.describe()))
	}
}

// broadcast delivers a message without destination to every connection
// with a matching rule, each once. It takes s.mu for reading.
func (s *Server) broadcast(m *routed, out []byte, fds []int) {
	s.mu.RLock()
	s.broadcastLocked(m, out, fds)
	s.mu.RUnlock()
	closeFDs(fds)
}

// broadcastLocked is broadcast with s.mu held; it leaves fds to the caller.
func (s *Server) broadcastLocked(m *routed, out []byte, fds []int) {
	for dst := range s.matchers {
		if dst.monitor || len(fds) > 0 && !dst.unixFD {
			continue
		}
		for _, r := range dst.rules {
			if s.matches(r, m, false) {
				dst.send(outMsg{data: out, fds: dupFDs(fds)})
				break
			}
		}
	}
}

// observe gives monitors and eavesdroppers their copy of a message. skip is
// the connection the message was addressed to, which has it already. It
// takes s.mu for reading.
func (s *Server) observe(m *routed, out []byte, skip *conn) {
	s.mu.RLock()
	s.observeLocked(m, out, skip)
	s.mu.RUnlock()
}

func (s *Server) observeLocked(m *routed, out []byte, skip *conn) {
	for dst := range s.matchers {
		if dst == skip || dst == m.from || !dst.monitor && m.h.dest == "" {
			continue // broadcasts reached eavesdroppers through their rules
		}
		if dst.monitor && len(dst.rules) == 0 {
			dst.send(outMsg{data: out})
			continue
		}
		for _, r := range dst.rules {
			if dst.monitor && s.matches(r, m, false) || r.eavesdrop && s.matches(r, m, true) {
				dst.send(outMsg{data: out})
				break
			}
		}
	}
}

// dupFDs duplicates descriptors for one more recipient.
func dupFDs(fds []int) []int {
	if len(fds) == 0 {
		return nil
	}
	out := make([]int, 0, len(fds))
	for _, fd := range fds {
		if d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// track records that c called dst with serial and waits for a reply.
func (c *conn) track(dst *conn, serial uint32, limit int) error {
	c.pmu.Lock()
	if len(c.calls) >= limit {
		c.pmu.Unlock()
		return fmt.Errorf("The connection has %d method calls waiting for replies, the limit", limit)
	}
	if c.calls == nil {
		c.calls = map[uint32]*conn{}
	}
	c.calls[serial] = dst
	c.pmu.Unlock()
	dst.pmu.Lock()
	gone := dst.gone
	if !gone {
		if dst.owes == nil {
			dst.owes = map[pendingKey]bool{}
		}
		dst.owes[pendingKey{c.id, serial}] = true
	}
	dst.pmu.Unlock()
	if gone { // dst disconnected meanwhile: its cleanup will not answer for it
		c.untrack(serial)
		c.srv.sendError(c, serial, errNoReply, "Message recipient disconnected from message bus without replying")
	}
	return nil
}

// forgive drops the reply c would owe caller for serial (the call was
// never delivered).
func (c *conn) forgive(caller *conn, serial uint32) {
	c.pmu.Lock()
	delete(c.owes, pendingKey{caller.id, serial})
	c.pmu.Unlock()
}

func (c *conn) untrack(serial uint32) {
	c.pmu.Lock()
	delete(c.calls, serial)
	c.pmu.Unlock()
}

// settle checks that c owes caller a reply to serial and clears the debt;
// it reports false for an unrequested reply.
func (c *conn) settle(caller *conn, serial uint32) bool {
	key := pendingKey{caller.id, serial}
	c.pmu.Lock()
	ok := c.owes[key]
	delete(c.owes, key)
	c.pmu.Unlock()
	if ok {
		caller.untrack(serial)
	}
	return ok
}

// failPending runs when c disconnects: callers waiting on c get NoReply,
// and callees stop expecting to answer c.
func (c *conn) failPending() {
	c.pmu.Lock()
	c.gone = true
	calls, owes := c.calls, c.owes
	c.calls, c.owes = nil, nil
	c.pmu.Unlock()
	for serial, callee := range calls {
		callee.pmu.Lock()
		delete(callee.owes, pendingKey{c.id, serial})
		callee.pmu.Unlock()
	}
	for key := range owes {
		c.srv.mu.RLock()
		caller := c.srv.conns[uniqueName(key.caller)]
		c.srv.mu.RUnlock()
		if caller == nil {
			continue
		}
		caller.untrack(key.serial)
		c.srv.sendError(caller, key.serial, errNoReply, "Message recipient disconnected from message bus without replying")
	}
}

func uniqueName(id uint64) string { return fmt.Sprintf(":1.%d", id) }

// replyError answers call (from c) with an error, unless no reply is wanted.
func (s *Server) replyError(c *conn, call *header, name, text string) {
	if call.wantsReply() {
		s.sendError(c, call.serial, name, text)
	}
}

// sendError sends the bus's error reply to c's call serial.
func (s *Server) sendError(c *conn, serial uint32, name, text string) {
	e := encoder{order: binary.LittleEndian}
	e.str(text)
	s.fromBus(c, &header{typ: typeError, errName: name, replySerial: serial, sig: "s"}, e.buf)
}

// fromBus sends a message from the bus driver to c (or, with c nil, to every
// connection whose rules match). It fills in the header fields the bus owns.
// It takes s.mu for reading; see fromBusLocked.
func (s *Server) fromBus(c *conn, h *header, body []byte) {
	m, out := s.busMessage(c, h, body)
	if c != nil {
		c.send(outMsg{data: out})
	}
	if c == nil || s.nwatch.Load() > 0 {
		s.mu.RLock()
		if c == nil {
			s.broadcastLocked(m, out, nil)
		}
		s.observeLocked(m, out, c)
		s.mu.RUnlock()
	}
}

// fromBusLocked is fromBus for callers that hold s.mu, so that the signals
// about a change are queued in the order of the changes.
func (s *Server) fromBusLocked(c *conn, h *header, body []byte) {
	m, out := s.busMessage(c, h, body)
	if c != nil {
		c.send(outMsg{data: out})
	} else {
		s.broadcastLocked(m, out, nil)
	}
	if s.nwatch.Load() > 0 {
		s.observeLocked(m, out, c)
	}
}

func (s *Server) busMessage(c *conn, h *header, body []byte) (*routed, []byte) {
	h.order = binary.LittleEndian
	h.sender = busName
	h.serial = s.nextSerial()
	if c != nil {
		h.dest = c.name
	}
	if h.typ == typeSignal {
		h.path, h.iface = busPath, busName
	}
	out := marshal(h, body)
	return &routed{h: h, msg: out, body: len(out) - len(body)}, out
}

func (s *Server) nextSerial() uint32 {
	for {
		if v := s.serial.Add(1); v != 0 {
			return v
		}
	}
}
