package bus

import "encoding/binary"

// An encoder appends marshalled values to a buffer. Alignment is measured
// from the start of buf, which must be the start of a message.
type encoder struct {
	buf   []byte
	order endian
}

func (e *encoder) align(n int) {
	for len(e.buf)%n != 0 {
		e.buf = append(e.buf, 0)
	}
}

func (e *encoder) byte(c byte) { e.buf = append(e.buf, c) }

func (e *encoder) u32(v uint32) {
	e.align(4)
	e.buf = e.order.AppendUint32(e.buf, v)
}

func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

func (e *encoder) sig(s string) {
	e.byte(byte(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, 0)
}

// field appends one header field of the given code and type.
func (e *encoder) field(code byte, typ byte, s string, u uint32) {
	e.align(8)
	e.byte(code)
	e.sig(string(typ))
	switch typ {
	case 'u':
		e.u32(u)
	case 'g':
		e.sig(s)
	default:
		e.str(s)
	}
}

// marshal returns the complete message with h's header and body, in h's
// byte order, in one allocation. Only the header fields the specification
// defines are written; SENDER is whatever h holds (the bus sets it).
func marshal(h *header, body []byte) []byte {
	size := fixedHeaderLen + 9*16 + len(h.path) + len(h.iface) + len(h.member) +
		len(h.errName) + len(h.dest) + len(h.sender) + len(h.sig) + 8 + len(body)
	e := encoder{buf: make([]byte, 0, size), order: h.order}
	if h.order == binary.BigEndian {
		e.byte('B')
	} else {
		e.byte('l')
	}
	e.byte(h.typ)
	e.byte(h.flags)
	e.byte(1)
	e.buf = h.order.AppendUint32(e.buf, uint32(len(body)))
	e.buf = h.order.AppendUint32(e.buf, h.serial)
	e.buf = h.order.AppendUint32(e.buf, 0) // fields length, patched below
	e.strField(fieldPath, 'o', h.path)
	e.strField(fieldInterface, 's', h.iface)
	e.strField(fieldMember, 's', h.member)
	e.strField(fieldErrorName, 's', h.errName)
	if h.replySerial != 0 {
		e.field(fieldReplySerial, 'u', "", h.replySerial)
	}
	e.strField(fieldDestination, 's', h.dest)
	e.strField(fieldSender, 's', h.sender)
	e.strField(fieldSignature, 'g', h.sig)
	if h.unixFDs != 0 {
		e.field(fieldUnixFDs, 'u', "", h.unixFDs)
	}
	h.order.PutUint32(e.buf[12:16], uint32(len(e.buf)-fixedHeaderLen))
	e.align(8)
	return append(e.buf, body...)
}

func (e *encoder) strField(code byte, typ byte, s string) {
	if s != "" {
		e.field(code, typ, s, 0)
	}
}

// strs appends an array of strings.
func (e *encoder) strs(v []string) {
	e.array(4, func() {
		for _, s := range v {
			e.str(s)
		}
	})
}

// array appends an array whose elements, aligned to elemAlign, fill writes.
func (e *encoder) array(elemAlign int, fill func()) {
	e.u32(0)
	at := len(e.buf) - 4
	e.align(elemAlign)
	start := len(e.buf)
	fill()
	e.order.PutUint32(e.buf[at:], uint32(len(e.buf)-start))
}

// entry appends one {sv} dict entry whose value has signature sig.
func (e *encoder) entry(key, sig string, value func()) {
	e.align(8)
	e.str(key)
	e.sig(sig)
	value()
}
