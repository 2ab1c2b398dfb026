package bus

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// pipeService answers Pipe with a descriptor, the read end of a pipe.
type pipeService struct{ fd dbus.UnixFD }

func (p *pipeService) Pipe() (dbus.UnixFD, *dbus.Error) { return p.fd, nil }

func (p *pipeService) Echo(s string) (string, *dbus.Error) { return s, nil }

// dialNoFDs connects a godbus client over a plain stream, on which godbus
// does not offer descriptor passing (no NEGOTIATE_UNIX_FD).
func dialNoFDs(t testing.TB, s *Server) *dbus.Conn {
	t.Helper()
	nc, err := net.Dial("unix", s.cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dbus.NewConn(struct{ net.Conn }{nc})
	if err != nil {
		nc.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Hello(); err != nil {
		t.Fatal(err)
	}
	if c.SupportsUnixFDs() {
		t.Fatal("the client negotiated descriptor passing; the test needs one that did not")
	}
	return c
}

// TestReplyWithFDsToCallerWithout checks that a caller that did not
// negotiate descriptor passing, calling a method whose reply carries a
// descriptor, gets NotSupported instead of waiting for ever, and that both
// connections stay usable.
func TestReplyWithFDsToCallerWithout(t *testing.T) {
	checkFDs(t)
	s := testBus(t, Config{})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() }) // after the clients close
	svc := dial(t, s)
	if !svc.SupportsUnixFDs() {
		t.Fatal("the service did not negotiate descriptor passing")
	}
	if err := svc.Export(&pipeService{fd: dbus.UnixFD(r.Fd())}, svcPath, svcIface); err != nil {
		t.Fatal(err)
	}
	caller := dialNoFDs(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	err = caller.Object(svc.Names()[0], svcPath).CallWithContext(ctx, svcIface+".Pipe", 0).Err
	var e dbus.Error
	switch {
	case ctx.Err() != nil:
		t.Fatalf("the caller got no answer to a reply it could not receive: %v", err)
	case !asDBusError(err, &e) || e.Name != errNotSupported:
		t.Fatalf("Pipe from a caller without descriptor passing: %v, want %s", err, errNotSupported)
	case len(e.Body) != 1 || !strings.Contains(e.Body[0].(string), "NEGOTIATE_UNIX_FD"):
		t.Errorf("the error does not say why: %v", e.Body)
	}
	var got string
	if err := caller.Object(svc.Names()[0], svcPath).CallWithContext(ctx, svcIface+".Echo", 0, "still here").Store(&got); err != nil || got != "still here" {
		t.Errorf("Echo after the refused reply = %q, %v", got, err)
	}
	// A caller that negotiated descriptors still gets them.
	var fd dbus.UnixFD
	if err := dial(t, s).Object(svc.Names()[0], svcPath).CallWithContext(ctx, svcIface+".Pipe", 0).Store(&fd); err != nil {
		t.Fatalf("Pipe from a caller with descriptor passing: %v", err)
	}
	os.NewFile(uintptr(fd), "pipe").Close()
}

func asDBusError(err error, e *dbus.Error) bool {
	if de, ok := err.(dbus.Error); ok {
		*e = de
		return true
	}
	if de, ok := err.(*dbus.Error); ok {
		*e = *de
		return true
	}
	return false
}
