package bus

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// The fixed part of every message: endianness, type, flags, protocol
// version, body length, serial, and the length of the header-field array.
const fixedHeaderLen = 16

// Header field codes (D-Bus specification, "Message Format").
const (
	fieldPath        = 1
	fieldInterface   = 2
	fieldMember      = 3
	fieldErrorName   = 4
	fieldReplySerial = 5
	fieldDestination = 6
	fieldSender      = 7
	fieldSignature   = 8
	fieldUnixFDs     = 9
)

// endian is a byte order that can also append, as binary.LittleEndian and
// binary.BigEndian do.
type endian interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// Message types and flags.
const (
	typeMethodCall  = 1
	typeMethodReply = 2
	typeError       = 3
	typeSignal      = 4

	flagNoReplyExpected = 0x1
	flagNoAutoStart     = 0x2
	flagAllowInteract   = 0x4
	knownFlags          = flagNoReplyExpected | flagNoAutoStart | flagAllowInteract
)

// header is a message's parsed header: what the bus needs to route it. Its
// strings share the memory of the message they were parsed from.
type header struct {
	order       endian
	typ         byte
	flags       byte
	serial      uint32
	path        string
	iface       string
	member      string
	errName     string
	replySerial uint32
	dest        string
	sender      string
	sig         string
	unixFDs     uint32
}

// wantsReply reports whether h is a method call whose caller waits for a reply.
func (h *header) wantsReply() bool {
	return h.typ == typeMethodCall && h.flags&flagNoReplyExpected == 0
}

// A protocolError is a malformed message or frame; the bus disconnects the
// client that sent it, as the specification requires.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return "protocol error: " + e.msg }

func protoErrorf(format string, args ...any) error {
	return &protocolError{fmt.Sprintf(format, args...)}
}

// frameLen checks the fixed header b (16 bytes) and returns the whole
// message's length. The arithmetic is done in 64 bits so that lengths near
// 2^32 cannot wrap, and the result never exceeds limit.
func frameLen(b []byte, limit int) (int, error) {
	order, err := byteOrder(b[0])
	if err != nil {
		return 0, err
	}
	if b[3] != 1 {
		return 0, protoErrorf("protocol version %d, want 1", b[3])
	}
	body := uint64(order.Uint32(b[4:8]))
	fields := uint64(order.Uint32(b[12:16]))
	if fields > MaxHeaderFieldsSize {
		return 0, protoErrorf("header fields of %d bytes exceed the limit of %d", fields, MaxHeaderFieldsSize)
	}
	total := fixedHeaderLen + (fields+7)&^7 + body
	if total > uint64(limit) {
		return 0, protoErrorf("message of %d bytes exceeds the limit of %d", total, limit)
	}
	return int(total), nil
}

func byteOrder(c byte) (endian, error) {
	switch c {
	case 'l':
		return binary.LittleEndian, nil
	case 'B':
		return binary.BigEndian, nil
	}
	return nil, protoErrorf("invalid endianness byte %s", quoteByte(c))
}

// parseMessage validates the complete message b (framed by frameLen) and
// returns its header and the offset of its body. nfds is the number of file
// descriptors that arrived with it. Unknown header fields are checked and
// dropped; unknown flags are cleared.
func parseMessage(b []byte, nfds int) (h header, bodyOff int, err error) {
	h.order, err = byteOrder(b[0])
	if err != nil {
		return h, 0, err
	}
	h.typ, h.flags = b[1], b[2]&knownFlags
	h.serial = h.order.Uint32(b[8:12])
	if h.typ == 0 {
		return h, 0, protoErrorf("message type 0")
	}
	if h.serial == 0 {
		return h, 0, protoErrorf("serial 0")
	}
	fieldsEnd := fixedHeaderLen + int(h.order.Uint32(b[12:16]))
	w := walker{b: b, pos: fixedHeaderLen, end: fieldsEnd, order: h.order}
	if err := w.headerFields(&h); err != nil {
		return h, 0, err
	}
	w.end = len(b)
	if err := w.align(8); err != nil {
		return h, 0, err
	}
	bodyOff = w.pos
	if err := h.check(nfds); err != nil {
		return h, 0, err
	}
	if err := w.body(h.sig, h.unixFDs); err != nil {
		return h, 0, err
	}
	return h, bodyOff, nil
}

// check applies the specification's per-type rules to a parsed header.
func (h *header) check(nfds int) error {
	switch h.typ {
	case typeMethodCall:
		if h.path == "" || h.member == "" {
			return protoErrorf("method call without PATH or MEMBER")
		}
	case typeSignal:
		if h.path == "" || h.iface == "" || h.member == "" {
			return protoErrorf("signal without PATH, INTERFACE or MEMBER")
		}
	case typeMethodReply:
		if h.replySerial == 0 {
			return protoErrorf("method return without REPLY_SERIAL")
		}
	case typeError:
		if h.replySerial == 0 || h.errName == "" {
			return protoErrorf("error without REPLY_SERIAL or ERROR_NAME")
		}
	}
	if h.path == "/org/freedesktop/DBus/Local" || h.iface == "org.freedesktop.DBus.Local" {
		return protoErrorf("message uses the reserved org.freedesktop.DBus.Local")
	}
	if int(h.unixFDs) != nfds {
		return protoErrorf("UNIX_FDS says %d descriptors, %d arrived", h.unixFDs, nfds)
	}
	return nil
}

// headerFields parses the header-field array a(yv) into h.
func (w *walker) headerFields(h *header) error {
	var seen uint16
	for w.pos < w.end {
		c, sig, err := w.nextField()
		if err != nil {
			return err
		}
		if c >= fieldPath && c <= fieldUnixFDs {
			if seen&(1<<c) != 0 {
				return protoErrorf("header field %d appears twice", c)
			}
			seen |= 1 << c
			if err := w.knownField(h, c, sig); err != nil {
				return err
			}
			continue
		}
		if _, err := w.value(sig, 0, 1, 0); err != nil { // unknown: check, then drop
			return err
		}
	}
	if w.pos != w.end {
		return protoErrorf("header fields overrun their length")
	}
	return nil
}

// nextField reads the code and the variant signature of the next header
// field, leaving w at its value.
func (w *walker) nextField() (byte, string, error) {
	if err := w.align(8); err != nil {
		return 0, "", err
	}
	code, err := w.take(1)
	if err != nil {
		return 0, "", err
	}
	sig, err := w.signature()
	if err != nil {
		return 0, "", err
	}
	if err := validSingleType(sig); err != nil {
		return 0, "", protoErrorf("header field %d: %v", code[0], err)
	}
	return code[0], sig, nil
}

// fieldSigs is the required signature of each known header field.
var fieldSigs = [...]string{
	fieldPath: "o", fieldInterface: "s", fieldMember: "s", fieldErrorName: "s",
	fieldReplySerial: "u", fieldDestination: "s", fieldSender: "s",
	fieldSignature: "g", fieldUnixFDs: "u",
}

func (w *walker) knownField(h *header, c byte, sig string) error {
	if sig != fieldSigs[c] {
		return protoErrorf("header field %d has type %q, want %q", c, sig, fieldSigs[c])
	}
	s, u, err := w.fieldValue(sig)
	if err != nil {
		return err
	}
	ok := true
	switch c {
	case fieldPath:
		h.path, ok = s, validPath(s)
	case fieldInterface:
		h.iface, ok = s, validInterface(s)
	case fieldMember:
		h.member, ok = s, validMember(s)
	case fieldErrorName:
		h.errName, ok = s, validInterface(s)
	case fieldReplySerial:
		h.replySerial, ok = u, u != 0
	case fieldDestination:
		h.dest, ok = s, validBusName(s)
	case fieldSender:
		h.sender, ok = s, validBusName(s)
	case fieldSignature:
		h.sig = s
	case fieldUnixFDs:
		h.unixFDs = u
	}
	if !ok {
		return protoErrorf("header field %d holds an invalid value %.80q", c, s)
	}
	return nil
}

// fieldValue reads a header field's value of type u, g, s or o.
func (w *walker) fieldValue(sig string) (string, uint32, error) {
	switch sig {
	case "u":
		if err := w.align(4); err != nil {
			return "", 0, err
		}
		u, err := w.u32()
		return "", u, err
	case "g":
		s, err := w.signature()
		if err != nil {
			return "", 0, err
		}
		if err := validSignature(s); err != nil {
			return "", 0, &protocolError{"SIGNATURE: " + err.Error()}
		}
		return s, 0, nil
	}
	s, err := w.str()
	return s, 0, err
}

// walker checks marshalled values in place, without allocating for them.
// Positions are offsets into the whole message, so alignment is measured
// from its start as the specification requires.
type walker struct {
	b     []byte
	pos   int
	end   int
	order endian
	nfds  uint32
}

var errShort = &protocolError{"value runs past the end of its container"}

func (w *walker) align(n int) error {
	p := (w.pos + n - 1) &^ (n - 1)
	if p > w.end {
		return errShort
	}
	for _, c := range w.b[w.pos:p] {
		if c != 0 {
			return protoErrorf("non-zero padding at offset %d", w.pos)
		}
	}
	w.pos = p
	return nil
}

func (w *walker) take(n int) ([]byte, error) {
	if n < 0 || n > w.end-w.pos {
		return nil, errShort
	}
	p := w.b[w.pos : w.pos+n]
	w.pos += n
	return p, nil
}

func (w *walker) u32() (uint32, error) {
	p, err := w.take(4)
	if err != nil {
		return 0, err
	}
	return w.order.Uint32(p), nil
}

// str reads a string or object path (already aligned to 4 by the caller's
// type): a length, UTF-8 bytes without NUL, and a NUL terminator.
func (w *walker) str() (string, error) {
	if err := w.align(4); err != nil {
		return "", err
	}
	n, err := w.u32()
	if err != nil {
		return "", err
	}
	return w.terminated(uint64(n))
}

// signature reads a signature: a one-byte length, the bytes, a NUL.
func (w *walker) signature() (string, error) {
	n, err := w.take(1)
	if err != nil {
		return "", err
	}
	return w.terminated(uint64(n[0]))
}

// terminated reads n bytes and a NUL. The string it returns shares w.b's
// memory: callers that keep it must copy it (header's strings share the message's buffer, which is never reused).
func (w *walker) terminated(n uint64) (string, error) {
	if n >= uint64(w.end-w.pos) {
		return "", errShort
	}
	at := w.pos
	p := w.b[at : at+int(n)]
	if w.b[at+int(n)] != 0 {
		return "", protoErrorf("string at offset %d is not NUL-terminated", at)
	}
	w.pos += int(n) + 1
	for _, c := range p {
		if c == 0 {
			return "", protoErrorf("string at offset %d holds a NUL byte", at)
		}
	}
	if !utf8.Valid(p) {
		return "", protoErrorf("string at offset %d is not valid UTF-8", at)
	}
	return unsafe.String(unsafe.SliceData(p), len(p)), nil
}

// body checks the message body against its signature.
func (w *walker) body(sig string, nfds uint32) error {
	w.nfds = nfds
	for i := 0; i < len(sig); {
		j, err := w.value(sig, i, 0, 0)
		if err != nil {
			return err
		}
		i = j
	}
	if w.pos != w.end {
		return protoErrorf("body has %d bytes past its signature %q", w.end-w.pos, sig)
	}
	return nil
}

var errDepth = &protocolError{"values nest deeper than 64 containers"}

// value checks one value of the complete type at sig[i] and returns the
// index past that type. depth counts enclosing containers including
// variants; arrays counts enclosing arrays.
func (w *walker) value(sig string, i, depth, arrays int) (int, error) {
	c := sig[i]
	if err := w.align(alignOf(c)); err != nil {
		return 0, err
	}
	switch c {
	case 'y', 'n', 'q', 'i', 'u', 'x', 't', 'd':
		_, err := w.take(fixedSize(c))
		return i + 1, err
	case 'b', 'h':
		v, err := w.u32()
		if err == nil && c == 'b' && v > 1 {
			err = protoErrorf("boolean value %d", v)
		}
		if err == nil && c == 'h' && v >= w.nfds {
			err = protoErrorf("file descriptor index %d of %d", v, w.nfds)
		}
		return i + 1, err
	case 's', 'o', 'g':
		return w.stringValue(sig, i)
	case 'v':
		return w.variant(sig, i, depth, arrays)
	case 'a':
		return w.array(sig, i, depth, arrays)
	}
	return w.structValue(sig, i, depth, arrays)
}

func (w *walker) stringValue(sig string, i int) (int, error) {
	var s string
	var err error
	if sig[i] == 'g' {
		if s, err = w.signature(); err == nil {
			if serr := validSignature(s); serr != nil {
				err = &protocolError{serr.Error()}
			}
		}
	} else if s, err = w.str(); err == nil && sig[i] == 'o' && !validPath(s) {
		err = protoErrorf("invalid object path %.80q", s)
	}
	return i + 1, err
}

func (w *walker) variant(sig string, i, depth, arrays int) (int, error) {
	if depth+1 > maxTotalDepth {
		return 0, errDepth
	}
	inner, err := w.signature()
	if err != nil {
		return 0, err
	}
	if err := validSingleType(inner); err != nil {
		return 0, &protocolError{err.Error()}
	}
	_, err = w.value(inner, 0, depth+1, arrays)
	return i + 1, err
}

func (w *walker) array(sig string, i, depth, arrays int) (int, error) {
	if depth+1 > maxTotalDepth || arrays+1 > maxArrayDepth {
		return 0, errDepth
	}
	n, err := w.u32()
	if err != nil {
		return 0, err
	}
	if n > MaxArraySize {
		return 0, protoErrorf("array of %d bytes exceeds the limit of %d", n, MaxArraySize)
	}
	elem := sig[i+1]
	if err := w.align(alignOf(elem)); err != nil {
		return 0, err
	}
	next := typeEnd(sig, i+1)
	if uint64(n) > uint64(w.end-w.pos) {
		return 0, protoErrorf("array claims %d bytes, %d are left", n, w.end-w.pos)
	}
	stop := w.pos + int(n)
	if size := fixedSize(elem); size != 0 {
		if int(n)%size != 0 {
			return 0, protoErrorf("array of %d bytes is not a whole number of %q", n, elem)
		}
		w.pos = stop
		return next, nil
	}
	outer := w.end
	w.end = stop
	for w.pos < stop {
		if _, err := w.value(sig, i+1, depth+1, arrays+1); err != nil {
			return 0, err
		}
	}
	w.end = outer
	return next, nil
}

func (w *walker) structValue(sig string, i, depth, arrays int) (int, error) {
	if depth+1 > maxTotalDepth {
		return 0, errDepth
	}
	closer := byte(')')
	if sig[i] == '{' {
		closer = '}'
	}
	j := i + 1
	for sig[j] != closer {
		var err error
		if j, err = w.value(sig, j, depth+1, arrays); err != nil {
			return 0, err
		}
	}
	return j + 1, nil
}

// stringArgs returns the top-level string and object-path arguments of a
// body already validated, indexed by position ("" for other types), up to
// max of them, for match rules' argN keys.
func stringArgs(order endian, msg []byte, bodyOff int, sig string, max int) []string {
	w := walker{b: msg, pos: bodyOff, end: len(msg), order: order, nfds: ^uint32(0)}
	var args []string
	for i := 0; i < len(sig) && len(args) < max; {
		start := w.pos
		j, err := w.value(sig, i, 0, 0)
		if err != nil {
			break
		}
		var s string
		if sig[i] == 's' || sig[i] == 'o' {
			w2 := walker{b: msg, pos: start, end: len(msg), order: order}
			s, _ = w2.str()
		}
		args = append(args, s)
		i = j
	}
	return args
}
