package bus

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// A rawClient speaks the wire protocol by hand, to send what no library
// would.
type rawClient struct {
	t      testing.TB
	c      *net.UnixConn
	r      *bufio.Reader
	name   string
	serial uint32
}

func rawDial(t testing.TB, s *Server) *rawClient {
	t.Helper()
	return rawDialPath(t, s.cfg.Path)
}

// rawDialPath connects to any bus socket (svunit's or dbus-daemon's).
func rawDialPath(t testing.TB, path string) *rawClient {
	t.Helper()
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawClient{t: t, c: c, r: bufio.NewReader(c)}
}

func (rc *rawClient) write(b []byte) {
	rc.t.Helper()
	if _, err := rc.c.Write(b); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

func (rc *rawClient) line() string {
	rc.t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(patience))
	l, err := rc.r.ReadString('\n')
	if err != nil {
		rc.t.Fatalf("read auth line: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// expectLine reads the bus's next authentication line and checks it.
func (rc *rawClient) expectLine(want string) {
	rc.t.Helper()
	if l := rc.line(); l != want {
		rc.t.Fatalf("the bus said %q, want %q", l, want)
	}
}

func hexUID(uid int) string { return hex.EncodeToString([]byte(strconv.Itoa(uid))) }

// auth completes the SASL exchange (with descriptor passing) and Hello.
func (rc *rawClient) auth() *rawClient {
	rc.t.Helper()
	rc.write([]byte("\x00AUTH EXTERNAL " + hexUID(os.Getuid()) + "\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"))
	if l := rc.line(); !strings.HasPrefix(l, "OK ") {
		rc.t.Fatalf("AUTH: %q", l)
	}
	rc.expectLine("AGREE_UNIX_FD")
	return rc
}

func (rc *rawClient) hello() *rawClient {
	rc.t.Helper()
	rc.write(rc.call(busName, busPath, busName, "Hello", "", nil))
	reply := rc.read()
	if reply.Type != dbus.TypeMethodReply {
		rc.t.Fatalf("Hello: %v", reply)
	}
	rc.name = reply.Body[0].(string)
	if sig := rc.read(); sig.Headers[dbus.FieldMember].Value() != "NameAcquired" {
		rc.t.Fatalf("after Hello: %v", sig)
	}
	return rc
}

// msg marshals a message with the bus's own encoder.
func (rc *rawClient) msg(h header, body []byte) []byte {
	if h.order == nil {
		h.order = binary.LittleEndian
	}
	rc.serial++
	h.serial = rc.serial
	return marshal(&h, body)
}

func (rc *rawClient) call(dest, path, iface, member, sig string, body []byte) []byte {
	return rc.msg(header{typ: typeMethodCall, dest: dest, path: path, iface: iface, member: member, sig: sig}, body)
}

// strBody marshals string arguments.
func strBody(args ...string) []byte {
	e := encoder{order: binary.LittleEndian}
	for _, a := range args {
		e.str(a)
	}
	return e.buf
}

// read decodes the next message from the bus (trusted input).
func (rc *rawClient) read() *dbus.Message {
	rc.t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(patience))
	m, err := dbus.DecodeMessage(rc.r)
	if err != nil {
		rc.t.Fatalf("read message: %v", err)
	}
	return m
}

// readError reads the next message and checks it is the error name.
func (rc *rawClient) readError(name string) *dbus.Message {
	rc.t.Helper()
	m := rc.read()
	if m.Type != dbus.TypeError || m.Headers[dbus.FieldErrorName].Value() != name {
		rc.t.Fatalf("got %v, want error %s", m, name)
	}
	return m
}

// expectClosed checks that the bus closes the connection.
func (rc *rawClient) expectClosed() {
	rc.t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(patience))
	_, err := io.Copy(io.Discard, rc.r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		rc.t.Fatal("the bus did not close the connection")
	}
}
