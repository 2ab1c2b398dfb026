package bus

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

// The service the real clients call: a godbus client that owns
// org.example.Svc and exports /org/example/Obj.
const (
	svcName  = "org.example.Svc"
	svcPath  = "/org/example/Obj"
	svcIface = "org.example.Echo"
)

type echoService struct{ conn *dbus.Conn }

func (e *echoService) Echo(s string) (string, *dbus.Error) { return s, nil }

func (e *echoService) Fail() *dbus.Error {
	return dbus.NewError("org.example.Error.Nope", []any{"nope"})
}

// emit sends the service's Ping signal with v.
func (e *echoService) emit(t testing.TB, v string) {
	t.Helper()
	if err := e.conn.Emit(svcPath, svcIface+".Ping", v); err != nil {
		t.Fatal(err)
	}
}

const echoIntrospect = `<node><interface name="org.example.Echo">
<method name="Echo"><arg direction="in" type="s"/><arg direction="out" type="s"/></method>
<method name="Fail"/><signal name="Ping"><arg type="s"/></signal></interface>` +
	introspect.IntrospectDeclarationString + `</node>`

// exportEcho connects a godbus client that serves org.example.Echo.
func exportEcho(t testing.TB, s *Server) *echoService {
	t.Helper()
	c := dial(t, s)
	svc := &echoService{conn: c}
	if err := c.Export(svc, svcPath, svcIface); err != nil {
		t.Fatal(err)
	}
	if err := c.Export(introspect.Introspectable(echoIntrospect), svcPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatal(err)
	}
	if r, err := c.RequestName(svcName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName(%s) = %v, %v", svcName, r, err)
	}
	return svc
}

// lookClient finds a client program; CI installs them (.ci/deps), so a
// missing one fails the test rather than skipping it.
func lookClient(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (see .ci/deps): %v", name, err)
	}
	return p
}

// runClient runs a client to completion and returns its output.
func runClient(t testing.TB, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	out, err := exec.CommandContext(ctx, lookClient(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// A clientProc is a long-running client (a monitor or signal listener).
type clientProc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (p *clientProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *clientProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func startClient(t testing.TB, name string, args ...string) *clientProc {
	t.Helper()
	p := &clientProc{cmd: exec.Command(lookClient(t, name), args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitOutput waits until the client has printed want.
func (p *clientProc) waitOutput(t testing.TB, want string) {
	t.Helper()
	deadline := time.After(patience)
	for !strings.Contains(p.output(), want) {
		select {
		case <-deadline:
			t.Fatalf("%s never printed %q; output:\n%s", p.cmd.Path, want, p.output())
		case <-p.done:
			if !strings.Contains(p.output(), want) {
				t.Fatalf("%s exited without printing %q; output:\n%s", p.cmd.Path, want, p.output())
			}
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// expectPing waits until the client has subscribed to the service's Ping
// signal, has the service send it with v, and waits for the client to
// print want.
func (p *clientProc) expectPing(t testing.TB, s *Server, svc *echoService, v string, want ...string) {
	t.Helper()
	waitFor(t, p.cmd.Path+" to subscribe", func() bool { return s.subscribed(svc) })
	svc.emit(t, v)
	for _, w := range want {
		p.waitOutput(t, w)
	}
}

// subscribed reports whether a connection other than the service has a
// rule (or is a monitor) that selects the service's Ping signal.
func (s *Server) subscribed(svc *echoService) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sender := svc.conn.Names()[0]
	h := &header{typ: typeSignal, path: svcPath, iface: svcIface, member: "Ping", sender: sender, sig: "s"}
	m := &routed{h: h, from: s.conns[sender]}
	for c := range s.matchers {
		if c.monitor && len(c.rules) == 0 {
			return true
		}
		for _, r := range c.rules {
			if c != m.from && s.matches(r, m, false) {
				return true
			}
		}
	}
	return false
}

func TestBusctl(t *testing.T) {
	s := testBus(t, Config{})
	svc := exportEcho(t, s)
	addr := "--address=" + s.Address()
	if out := runClient(t, "busctl", addr, "call", svcName, svcPath, svcIface, "Echo", "s", "hi there"); strings.TrimSpace(out) != `s "hi there"` {
		t.Errorf("busctl call printed %q", out)
	}
	if out := runClient(t, "busctl", addr, "introspect", svcName, svcPath); !strings.Contains(out, svcIface) || !strings.Contains(out, ".Echo") {
		t.Errorf("busctl introspect printed:\n%s", out)
	}
	if out := runClient(t, "busctl", addr, "introspect", busName, busPath, "--no-pager"); !strings.Contains(out, ".NameOwnerChanged") || !strings.Contains(out, ".BecomeMonitor") {
		t.Errorf("busctl introspect of the driver printed:\n%s", out)
	}
	if out := runClient(t, "busctl", addr, "list", "--no-pager"); !strings.Contains(out, svcName) {
		t.Errorf("busctl list does not show %s:\n%s", svcName, out)
	}
	startClient(t, "busctl", addr, "monitor", "--no-pager").expectPing(t, s, svc, "to-busctl", "to-busctl", "Member=Ping")
}

func TestGdbus(t *testing.T) {
	s := testBus(t, Config{})
	svc := exportEcho(t, s)
	addr := s.Address()
	out := runClient(t, "gdbus", "call", "--address", addr, "--dest", svcName, "--object-path", svcPath, "--method", svcIface+".Echo", "hello gdbus")
	if strings.TrimSpace(out) != "('hello gdbus',)" {
		t.Errorf("gdbus call printed %q", out)
	}
	startClient(t, "gdbus", "monitor", "--address", addr, "--dest", svcName).expectPing(t, s, svc, "to-gdbus", "org.example.Echo.Ping ('to-gdbus',)")
}

func TestDbusSendAndMonitor(t *testing.T) {
	s := testBus(t, Config{})
	svc := exportEcho(t, s)
	// dbus-send's --address (an alias of --peer) skips Hello, which a bus
	// must refuse: the bus disconnects it, and nobody else notices.
	peer, err := exec.Command(lookClient(t, "dbus-send"), "--address="+s.Address(), "--print-reply", "--dest="+svcName,
		svcPath, svcIface+".Echo", "string:x").CombinedOutput()
	if err == nil || !strings.Contains(string(peer), "Error") {
		t.Errorf("dbus-send --address (no Hello) succeeded:\n%s", peer)
	}
	// --bus is dbus-send's way to talk to a message bus.
	out := runClient(t, "dbus-send", "--bus="+s.Address(), "--print-reply", "--dest="+svcName, svcPath, svcIface+".Echo", "string:hello dbus-send")
	if !strings.Contains(out, `string "hello dbus-send"`) {
		t.Errorf("dbus-send printed %q", out)
	}
	startClient(t, "dbus-monitor", "--address", s.Address(), "type='signal',interface='"+svcIface+"'").
		expectPing(t, s, svc, "to-dbus-monitor", `string "to-dbus-monitor"`)
}

const pythonClient = `
import sys, dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
obj = bus.get_object("org.example.Svc", "/org/example/Obj")
print("echo:", obj.Echo("hello python", dbus_interface="org.example.Echo"), flush=True)
try:
    obj.Fail(dbus_interface="org.example.Echo")
except dbus.exceptions.DBusException as e:
    print("error:", e.get_dbus_name(), flush=True)
loop = GLib.MainLoop()
def ping(v):
    print("signal:", v, flush=True)
    loop.quit()
bus.add_signal_receiver(ping, signal_name="Ping", dbus_interface="org.example.Echo", bus_name="org.example.Svc")
bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId", "", [])
print("ready", flush=True)
GLib.timeout_add_seconds(20, loop.quit)
loop.run()
`

func TestPythonDbus(t *testing.T) {
	s := testBus(t, Config{})
	svc := exportEcho(t, s)
	py := startClient(t, "/usr/bin/python3", "-c", pythonClient, s.Address())
	py.waitOutput(t, "echo: hello python")
	py.waitOutput(t, "error: org.example.Error.Nope")
	py.waitOutput(t, "ready")
	svc.emit(t, "to-python")
	py.waitOutput(t, "signal: to-python")
}

func TestTwoGodbusClients(t *testing.T) {
	s := testBus(t, Config{})
	svc := exportEcho(t, s)
	c := dial(t, s)
	var got string
	if err := c.Object(svcName, svcPath).Call(svcIface+".Echo", 0, "between godbus").Store(&got); err != nil || got != "between godbus" {
		t.Fatalf("Echo = %q, %v", got, err)
	}
	err := c.Object(svcName, svcPath).Call(svcIface+".Fail", 0).Err
	if e, ok := err.(dbus.Error); !ok || e.Name != "org.example.Error.Nope" {
		t.Fatalf("Fail returned %v", err)
	}
	if err := c.AddMatchSignal(dbus.WithMatchInterface(svcIface), dbus.WithMatchSender(svcName)); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 4)
	c.Signal(ch)
	svc.emit(t, "between godbus")
	select {
	case sig := <-ch:
		if sig.Name != svcIface+".Ping" || sig.Body[0] != "between godbus" || sig.Sender != svc.conn.Names()[0] {
			t.Fatalf("got signal %+v", sig)
		}
	case <-time.After(patience):
		t.Fatal("no signal")
	}
}

func TestInProcessConnect(t *testing.T) {
	s := testBus(t, Config{})
	svc := exportEcho(t, s)
	c, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got string
	if err := c.Object(svcName, svcPath).Call(svcIface+".Echo", 0, "in-process").Store(&got); err != nil || got != "in-process" {
		t.Fatalf("Echo = %q, %v", got, err)
	}
	cred, ok := s.Credentials(c.Names()[0])
	if !ok || cred.UID != uint32(os.Getuid()) || cred.PID != int32(os.Getpid()) {
		t.Fatalf("Credentials = %+v, %v", cred, ok)
	}
	_ = svc
}
