package bus

import (
	"context"
	"encoding/binary"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// fixed builds a fixed header by hand.
func fixed(endian byte, typ byte, bodyLen, serial, fieldsLen uint32) []byte {
	b := []byte{endian, typ, 0, 1}
	b = binary.LittleEndian.AppendUint32(b, bodyLen)
	b = binary.LittleEndian.AppendUint32(b, serial)
	return binary.LittleEndian.AppendUint32(b, fieldsLen)
}

// withField appends one raw header field (code, signature, value bytes) to
// a message body-less header being built by hand; it pads to 8 first.
func withField(b []byte, code byte, sig string, value []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	b = append(b, code, byte(len(sig)))
	b = append(b, sig...)
	b = append(b, 0)
	return append(b, value...)
}

// finish patches the fields length, pads and appends the body.
func finish(b []byte, body []byte) []byte {
	binary.LittleEndian.PutUint32(b[12:], uint32(len(b)-16))
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	return append(b, body...)
}

func strValue(s string) []byte {
	v := binary.LittleEndian.AppendUint32(nil, uint32(len(s)))
	return append(append(v, s...), 0)
}

// callTo builds a method call of M to dest with hand-written fields.
func callTo(dest, path string) []byte { return callMember(dest, path, "M") }

func callMember(dest, path, member string) []byte {
	b := fixed('l', typeMethodCall, 0, 7, 0)
	b = withField(b, fieldPath, "o", strValue(path))
	b = withField(b, fieldMember, "s", strValue(member))
	b = withField(b, fieldDestination, "s", strValue(dest))
	return b
}

// TestHostileFrames sends malformed messages; each must cost the sender its
// connection and nothing else: a bystander keeps working throughout.
func TestHostileFrames(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	bystander := dial(t, s)
	longPath := "/" + strings.Repeat("p", 64<<10)
	cases := map[string][]byte{
		"wrong endianness byte":    append([]byte{'X'}, fixed('l', 1, 0, 1, 0)[1:]...),
		"protocol version 2":       func() []byte { b := fixed('l', 1, 0, 1, 0); b[3] = 2; return b }(),
		"header past the limit":    fixed('l', typeMethodCall, 0, 1, MaxHeaderFieldsSize+1),
		"128 MiB + 1":              fixed('l', typeMethodCall, MaxMessageSize+1-16, 1, 0),
		"lengths wrapping 32 bits": fixed('l', typeMethodCall, 0x10, 1, 0xFFFFFFF8),
		"body length 0xFFFFFFFF":   fixed('l', typeMethodCall, 0xFFFFFFFF, 1, 8),
		"ay claiming 0xFFFFFFFF bytes": func() []byte {
			b := withField(callTo("org.x.Y", "/"), fieldSignature, "g", []byte{2, 'a', 'y', 0})
			return finish(b, []byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4})
		}(),
		"truncated body": func() []byte {
			b := withField(callTo("org.x.Y", "/"), fieldSignature, "g", []byte{1, 's', 0})
			return finish(b, binary.LittleEndian.AppendUint32(nil, 10)) // a string of 10 bytes, none sent
		}(),
		"non-UTF-8 path":                   finish(callTo("org.x.Y", "/a\xff"), nil),
		"non-UTF-8 string":                 finish(callTo("org.x.\xc3\x28", "/a"), nil),
		"64 KiB object path in the header": finish(callTo("org.x.Y", longPath), nil),
		"signature longer than 255": func() []byte {
			sig := append([]byte{255}, strings.Repeat("y", 256)...) // no NUL where it must be
			return finish(withField(callTo("org.x.Y", "/"), fieldSignature, "g", sig), nil)
		}(),
		"33 nested arrays": func() []byte {
			sig := strings.Repeat("a", 33) + "y"
			v := append([]byte{byte(len(sig))}, sig...)
			return finish(withField(callTo("org.x.Y", "/"), fieldSignature, "g", append(v, 0)), make([]byte, 8))
		}(),
		"header field of the wrong type": finish(withField(callTo("org.x.Y", "/"), fieldReplySerial, "s", strValue("x")), nil),
		"header field twice":             finish(withField(callTo("org.x.Y", "/"), fieldMember, "s", strValue("N")), nil),
		"method call without a path": func() []byte {
			b := fixed('l', typeMethodCall, 0, 7, 0)
			return finish(withField(b, fieldMember, "s", strValue("M")), nil)
		}(),
		"serial 0": func() []byte { b := finish(callTo("org.x.Y", "/"), nil); b[8] = 0; return b }(),
		"non-zero padding": func() []byte {
			b := finish(callTo("org.x.YZ", "/"), nil) // fields end 1 byte past a multiple of 8
			b[len(b)-1] = 1                           // the padding after the last field
			return b
		}(),
		"boolean 2": func() []byte {
			b := withField(callTo("org.x.Y", "/"), fieldSignature, "g", []byte{1, 'b', 0})
			return finish(b, []byte{2, 0, 0, 0})
		}(),
		"reserved Local interface": func() []byte {
			b := withField(callTo("org.x.Y", "/"), fieldInterface, "s", strValue("org.freedesktop.DBus.Local"))
			return finish(b, nil)
		}(),
		"UNIX_FDS without descriptors": finish(withField(callTo("org.x.Y", "/"), fieldUnixFDs, "u", []byte{1, 0, 0, 0}), nil),
	}
	for name, frame := range cases {
		t.Run(name, func(t *testing.T) {
			rc := rawDial(t, s).auth().hello()
			rc.write(frame)
			rc.expectClosed()
			if err := bystander.BusObject().Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
				t.Fatalf("bystander: %v", err)
			}
		})
	}
}

func TestAcceptedOddities(t *testing.T) {
	s := testBus(t, Config{})
	exportEcho(t, s)
	rc := rawDial(t, s).auth().hello()

	// An unknown header field is checked, then dropped on the way.
	b := withField(callMember(svcName, svcPath, "Echo"), fieldInterface, "s", strValue(svcIface))
	b = withField(b, 100, "s", strValue("extra"))
	b = withField(b, fieldSignature, "g", []byte{1, 's', 0})
	rc.write(finish(b, strValue("through")))
	if m := rc.read(); m.Type != dbus.TypeMethodReply || m.Body[0] != "through" {
		t.Fatalf("call with an unknown header field: %v", m)
	}

	// A 64 KiB object path in the body is fine.
	long := "/" + strings.Repeat("p", 64<<10)
	e := encoder{order: binary.LittleEndian}
	e.str(long)
	rc.write(rc.call("org.nobody.Here", "/", "org.x", "M", "o", e.buf))
	m := rc.readError(errServiceUnknown)
	if !strings.Contains(m.Body[0].(string), "org.nobody.Here") {
		t.Fatalf("ServiceUnknown text %q", m.Body[0])
	}

	// A message to a name nobody owns, and to a unique name nobody has.
	rc.write(rc.call(":1.9999", "/", "org.x", "M", "", nil))
	rc.readError(errServiceUnknown)

	// A big-endian call is routed and answered.
	rc.write(rc.msg(header{order: binary.BigEndian, typ: typeMethodCall, dest: busName, path: busPath, iface: busName, member: "GetId"}, nil))
	if m := rc.read(); m.Type != dbus.TypeMethodReply || m.Body[0] != s.guid {
		t.Fatalf("big-endian GetId: %v", m)
	}
}

func TestCallBeforeHello(t *testing.T) {
	s := testBus(t, Config{})
	rc := rawDial(t, s).auth()
	rc.write(rc.call(busName, busPath, busName, "ListNames", "", nil))
	rc.expectClosed()
}

func TestRequestNameRules(t *testing.T) {
	s := testBus(t, Config{})
	rc := rawDial(t, s).auth().hello()
	e := encoder{order: binary.LittleEndian}
	e.str(":1.5")
	e.u32(0)
	rc.write(rc.call(busName, busPath, busName, "RequestName", "su", e.buf))
	rc.readError(errInvalidArgs)
	e = encoder{order: binary.LittleEndian}
	e.str(busName)
	e.u32(0)
	rc.write(rc.call(busName, busPath, busName, "RequestName", "su", e.buf))
	rc.readError(errInvalidArgs)
	rc.write(rc.call(busName, busPath, busName, "RequestName", "s", strBody("org.x.Y")))
	rc.readError(errInvalidArgs)
	rc.write(rc.call(busName, busPath, busName, "NoSuchMethod", "", nil))
	rc.readError(errUnknownMethod)
}

func TestForgedSender(t *testing.T) {
	s := testBus(t, Config{})
	listener := dial(t, s)
	if err := listener.AddMatchSignal(dbus.WithMatchInterface("org.example.Forge")); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 2)
	listener.Signal(ch)
	rc := rawDial(t, s).auth().hello()
	rc.write(rc.msg(header{typ: typeSignal, path: "/", iface: "org.example.Forge", member: "Hi", sender: busName}, nil))
	select {
	case sig := <-ch:
		if sig.Sender != rc.name {
			t.Fatalf("signal arrived from %q, want the real sender %q", sig.Sender, rc.name)
		}
	case <-time.After(patience):
		t.Fatal("no signal")
	}
}

func TestAuthentication(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	t.Run("missing NUL byte", func(t *testing.T) {
		rc := rawDial(t, s)
		rc.write([]byte("AUTH EXTERNAL " + hexUID(os.Getuid()) + "\r\n"))
		rc.expectClosed()
	})
	t.Run("another uid", func(t *testing.T) {
		rc := rawDial(t, s)
		rc.write([]byte("\x00AUTH EXTERNAL " + hexUID(os.Getuid()+4242) + "\r\n"))
		rc.expectLine("REJECTED EXTERNAL")
		rc.write([]byte("BEGIN\r\n"))
		rc.expectClosed()
	})
	t.Run("unknown mechanism", func(t *testing.T) {
		rc := rawDial(t, s)
		rc.write([]byte("\x00AUTH DBUS_COOKIE_SHA1 30\r\n"))
		rc.expectLine("REJECTED EXTERNAL")
	})
	t.Run("six failures", func(t *testing.T) {
		rc := rawDial(t, s)
		rc.write([]byte{0})
		for i := 0; i < MaxAuthRejects; i++ {
			rc.write([]byte("AUTH ANONYMOUS\r\n"))
			rc.expectLine("REJECTED EXTERNAL")
		}
		rc.expectClosed()
	})
	t.Run("DATA exchange as sd-bus does it", func(t *testing.T) {
		rc := rawDial(t, s)
		rc.write([]byte("\x00AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"))
		rc.expectLine("DATA")
		rc.expectLine("OK " + s.guid)
		rc.expectLine("AGREE_UNIX_FD")
		rc.hello()
	})
	t.Run("never authenticates", func(t *testing.T) {
		s := testBus(t, Config{Limits: Limits{AuthTimeout: 100 * time.Millisecond}})
		rc := rawDial(t, s)
		rc.write([]byte("\x00AUTH EXTERNAL\r\n"))
		rc.expectClosed()
	})
}

// TestHalfOpenFlood holds 1000 connections that never finish
// authenticating: the oldest incomplete connections are dropped, and a good
// client still gets through without waiting for any of them to time out.
func TestHalfOpenFlood(t *testing.T) {
	checkFDs(t)
	// A good client that waited for the half-open ones' authentication
	// deadline would run out of patience first.
	s := testBus(t, Config{Limits: Limits{AuthTimeout: 2 * patience}})
	var wg sync.WaitGroup
	for i := 0; i < 1000; i++ {
		rc := rawDial(t, s)
		wg.Add(1)
		go func() { defer wg.Done(); rc.c.Write([]byte("\x00AUTH EXTERNAL\r\n")) }()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	c, err := dbus.Connect(s.Address(), dbus.WithContext(ctx))
	if err != nil {
		t.Fatalf("a good client could not connect within %v during the flood: %v", patience, err)
	}
	c.Close()
	waitFor(t, "incomplete connections to be capped", func() bool {
		s.imu.Lock()
		defer s.imu.Unlock()
		return s.incomplete.Len() <= MaxIncompleteConnections
	})
}

func TestTooManyFDs(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	rc := rawDial(t, s).auth().hello()
	var fds []int
	for i := 0; i < MaxUnixFDsPerMessage+1; i++ {
		fds = append(fds, int(os.Stdin.Fd()))
	}
	msg := rc.msg(header{typ: typeSignal, path: "/", iface: "org.x.Y", member: "Z", unixFDs: uint32(len(fds))}, nil)
	if _, _, err := rc.c.WriteMsgUnix(msg, unix.UnixRights(fds...), nil); err != nil {
		t.Fatal(err)
	}
	rc.expectClosed()
}

func TestHelloTwiceAndMonitorSending(t *testing.T) {
	s := testBus(t, Config{})
	rc := rawDial(t, s).auth().hello()
	rc.write(rc.call(busName, busPath, busName, "Hello", "", nil))
	rc.readError(errFailed)

	mon := rawDial(t, s).auth().hello()
	e := encoder{order: binary.LittleEndian}
	e.strs(nil)
	e.u32(0)
	mon.write(mon.call(busName, busPath, "org.freedesktop.DBus.Monitoring", "BecomeMonitor", "asu", e.buf))
	if m := mon.read(); m.Type != dbus.TypeMethodReply {
		t.Fatalf("BecomeMonitor: %v", m)
	}
	if m := mon.read(); m.Headers[dbus.FieldMember].Value() != "NameLost" || m.Body[0] != mon.name {
		t.Fatalf("after BecomeMonitor: %v", m)
	}
	// The monitor sees a call between others, and may not send.
	rc.write(rc.call(busName, busPath, busName, "GetId", "", nil))
	for i := 0; ; i++ { // first the NameOwnerChanged about the monitor itself
		m := mon.read()
		if m.Headers[dbus.FieldMember].Value() == "GetId" {
			break
		}
		if i == 3 {
			t.Fatalf("monitor saw %v, not the GetId call", m)
		}
	}
	mon.write(mon.call(busName, busPath, busName, "GetId", "", nil))
	mon.expectClosed()
}

// TestUnclaimedFDs sends descriptors with messages that do not declare
// them; the bus must not pile them up.
func TestUnclaimedFDs(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	rc := rawDial(t, s).auth().hello()
	fds := make([]int, MaxUnixFDsPerMessage)
	for i := range fds {
		fds[i] = int(os.Stdin.Fd())
	}
	for i := 0; i < 100; i++ {
		msg := rc.msg(header{typ: typeSignal, path: "/", iface: "org.x.Y", member: "Z"}, nil)
		if _, _, err := rc.c.WriteMsgUnix(msg, unix.UnixRights(fds...), nil); err != nil {
			break // the bus has hung up
		}
	}
	rc.expectClosed()
}
