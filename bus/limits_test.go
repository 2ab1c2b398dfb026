package bus

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// TestSlowReader: a client that subscribes to a flood and never reads is
// disconnected once its queue passes the limit; the sender and a bystander
// are never held up.
func TestSlowReader(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	slow := rawDial(t, s).auth().hello()
	slow.write(slow.call(busName, busPath, busName, "AddMatch", "s", strBody("type='signal',interface='org.example.Flood'")))
	slow.read()
	sender := dial(t, s)
	bystander := dial(t, s)
	payload := strings.Repeat("x", 4096)
	gone := func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.conns[slow.name] == nil
	}
	for i := 0; !gone(); i++ {
		if i > 4*MaxOutgoingBytes/len(payload) {
			t.Fatal("the slow reader was never disconnected")
		}
		if err := sender.Emit("/", "org.example.Flood.Data", payload); err != nil {
			t.Fatal(err)
		}
		if i%64 == 0 {
			if err := bystander.BusObject().Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
				t.Fatalf("bystander: %v", err)
			}
		}
	}
	if err := sender.BusObject().Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
		t.Fatalf("sender after the flood: %v", err)
	}
}

func TestPendingCallLimit(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	callee := rawDial(t, s).auth().hello()
	caller := rawDial(t, s).auth().hello()
	for i := 0; i <= MaxPendingCalls; i++ {
		caller.write(caller.call(callee.name, "/", "org.x.Y", "Wait", "", nil))
	}
	caller.readError(errLimitsExceeded)
	for i := 0; i < MaxPendingCalls; i++ {
		if m := callee.read(); m.Headers[dbus.FieldMember].Value() != "Wait" {
			t.Fatalf("callee got %v", m)
		}
	}
	// An unrequested reply is dropped: the unicast signal sent after it
	// arrives first.
	callee.write(callee.msg(header{typ: typeMethodReply, dest: caller.name, replySerial: 1 << 30}, nil))
	callee.write(callee.msg(header{typ: typeSignal, dest: caller.name, path: "/", iface: "org.x.Y", member: "After"}, nil))
	if m := caller.read(); m.Headers[dbus.FieldMember].Value() != "After" {
		t.Fatalf("caller got %v before the signal", m)
	}
	callee.c.Close()
	for i := 0; i < MaxPendingCalls; i++ {
		caller.readError(errNoReply)
	}
}

func TestMatchRuleLimit(t *testing.T) {
	s := testBus(t, Config{})
	rc := rawDial(t, s).auth().hello()
	for i := 0; i <= MaxMatchRules; i++ {
		rc.write(rc.call(busName, busPath, busName, "AddMatch", "s", strBody("type='signal',member='M"+strings.Repeat("x", i%7)+"'")))
	}
	for i := 0; i < MaxMatchRules; i++ {
		if m := rc.read(); m.Type != dbus.TypeMethodReply {
			t.Fatalf("AddMatch %d: %v", i, m)
		}
	}
	rc.readError(errLimitsExceeded)
	rc.write(rc.call(busName, busPath, busName, "RemoveMatch", "s", strBody("type='signal',member='nothing'")))
	rc.readError(errMatchNotFound)
	rc.write(rc.call(busName, busPath, busName, "AddMatch", "s", strBody("type='bogus'")))
	rc.readError(errMatchInvalid)
}

func TestConnectionsPerUID(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	for i := 0; i < MaxConnectionsPerUID; i++ {
		rawDial(t, s).auth().hello()
	}
	if c, err := dbus.Connect(s.Address()); err == nil {
		c.Close()
		t.Fatal("a third connection of the same uid was accepted")
	}
}

func TestNamesPerConnection(t *testing.T) {
	s := testBus(t, Config{Limits: Limits{MaxNamesPerConnection: 2}})
	c := dial(t, s)
	for _, n := range []string{"org.x.A", "org.x.B"} {
		if r, err := c.RequestName(n, 0); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("RequestName(%s) = %v, %v", n, r, err)
		}
	}
	_, err := c.RequestName("org.x.C", 0)
	if e, ok := err.(dbus.Error); !ok || e.Name != errLimitsExceeded {
		t.Fatalf("third RequestName: %v", err)
	}
}

func TestLargeMessage(t *testing.T) {
	s := testBus(t, Config{})
	exportEcho(t, s)
	c := dial(t, s)
	big := strings.Repeat("b", 4<<20)
	var got string
	if err := c.Object(svcName, svcPath).Call(svcIface+".Echo", 0, big).Store(&got); err != nil || got != big {
		t.Fatalf("4 MiB Echo: len %d, %v", len(got), err)
	}
}

func TestSmallMessageSizeLimit(t *testing.T) {
	s := testBus(t, Config{Limits: Limits{MaxMessageSize: 4096}})
	rc := rawDial(t, s).auth().hello()
	e := encoder{order: binary.LittleEndian}
	e.str(strings.Repeat("z", 4096))
	rc.write(rc.call("org.x.Y", "/", "org.x.Y", "M", "s", e.buf))
	rc.expectClosed()
}

// fdService reads what arrives through a passed descriptor.
type fdService struct{}

func (fdService) Read(fd dbus.UnixFD) (string, *dbus.Error) {
	f := os.NewFile(uintptr(fd), "passed")
	defer f.Close()
	b := make([]byte, 64)
	n, _ := f.Read(b)
	return string(b[:n]), nil
}

func TestFDPassing(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	svc := dial(t, s)
	if err := svc.Export(fdService{}, "/fd", "org.example.FD"); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("through the bus")
	w.Close()
	var got string
	err = c.Object(svc.Names()[0], "/fd").Call("org.example.FD.Read", 0, dbus.UnixFD(r.Fd())).Store(&got)
	r.Close()
	if err != nil || got != "through the bus" {
		t.Fatalf("Read = %q, %v", got, err)
	}
}

// TestCallFloodKeepsCallee: calls to a connection that is not reading fill
// its queue; further calls are refused with LimitsExceeded, and the callee
// (which may simply be busy, like the manager) keeps its connection.
func TestCallFloodKeepsCallee(t *testing.T) {
	s := testBus(t, Config{Limits: Limits{MaxOutgoingBytes: 1 << 20}})
	callee := rawDial(t, s).auth().hello()
	caller := rawDial(t, s).auth().hello()
	e := encoder{order: binary.LittleEndian}
	e.str(strings.Repeat("f", 64<<10))
	const sent = 200 // 12.5 MiB against a 1 MiB queue and the socket's buffer
	for i := 0; i < sent; i++ {
		caller.write(caller.call(callee.name, "/", "org.x.Y", "Flood", "s", e.buf))
	}
	// Errors come back in order, before the answer to a later GetId.
	caller.write(caller.call(busName, busPath, busName, "GetId", "", nil))
	refused := 0
	for m := caller.read(); m.Type != dbus.TypeMethodReply; m = caller.read() {
		if m.Headers[dbus.FieldErrorName].Value() != errLimitsExceeded {
			t.Fatalf("caller got %v", m)
		}
		refused++
	}
	if refused == 0 {
		t.Fatal("the flood was never refused")
	}
	s.mu.RLock()
	alive := s.conns[callee.name] != nil
	s.mu.RUnlock()
	if !alive {
		t.Fatal("the callee lost its connection to a flood of calls")
	}
	// The callee catches up on the calls it was given and is still served.
	for i := 0; i < sent-refused; i++ {
		if m := callee.read(); m.Headers[dbus.FieldMember].Value() != "Flood" {
			t.Fatalf("callee got %v", m)
		}
	}
	callee.write(callee.call(busName, busPath, busName, "GetId", "", nil))
	if m := callee.read(); m.Type != dbus.TypeMethodReply {
		t.Fatalf("callee after the flood: %v", m)
	}
}

// TestBytesPerUID: a uid's connections together may not make the bus hold
// more than MaxBytesPerUID, however many connections they spread it over.
func TestBytesPerUID(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{Limits: Limits{MaxBytesPerUID: 1 << 20}})
	bystander := dial(t, s)
	// Unfinished incoming messages: two connections each start a 4 MiB
	// message and send 700 KiB of it; the second passes the budget. The
	// bus must have read all of the first's before the second sends, or
	// the first could be the one to pass it.
	budget := func() int64 {
		s.mu.RLock()
		defer s.mu.RUnlock()
		if b := s.budgets[uint32(os.Getuid())]; b != nil {
			return int64(b.bytes.Load())
		}
		return 0
	}
	var clients []*rawClient
	for i := 0; i < 2; i++ {
		rc := rawDial(t, s).auth().hello()
		rc.write(fixed('l', typeSignal, 4<<20, 1, 0))
		rc.c.Write(make([]byte, 700<<10)) // fails for the one the bus drops
		clients = append(clients, rc)
		if i == 0 {
			waitFor(t, "the bus to read the first 700 KiB", func() bool { return budget() >= 700<<10 })
		}
	}
	clients[1].expectClosed()
	if err := bystander.BusObject().Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
		t.Fatalf("bystander: %v", err)
	}
	clients[0].c.Close()
	// Once they are gone, the uid's budget is whole again.
	waitFor(t, "the unfinished message's bytes to be returned", func() bool { return budget() == 0 })
}
