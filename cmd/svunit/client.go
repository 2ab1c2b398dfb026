package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	sddbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/bus/api"
)

// A client is a connection to a running svunit daemon's bus. Systemd-shaped
// calls go through go-systemd's Conn; io.svunit1 calls use the connection
// it dialed first, and signals the second, which go-systemd already
// listens on.
type client struct {
	sd   *sddbus.Conn
	call *dbus.Conn // go-systemd's method-call connection
	sig  *dbus.Conn // go-systemd's signal connection
	bus  string     // the socket path, for messages
}

// connect dials the daemon's bus socket (see globals.paths) and says where
// it looked and how to start a daemon when nobody answers there.
func (g *globals) connect() (*client, error) {
	path := g.paths().Bus
	if g.viaSSH != "" {
		path = g.viaSSH // -H: the bus is that host's, reached through ssh (remote.go)
	} else if err := probe(path); err != nil {
		return nil, g.otherManagerHint(err)
	}
	c := &client{bus: path}
	var dialed []*dbus.Conn
	sd, err := sddbus.NewConnection(func() (*dbus.Conn, error) {
		conn, err := g.dial(path)
		if err == nil {
			dialed = append(dialed, conn)
		}
		return conn, err
	})
	if err != nil {
		for _, d := range dialed {
			d.Close()
		}
		return nil, &exitError{code: exitNotLoaded, err: fmt.Errorf("connect to the svunit daemon at %s: %v", path, err)}
	}
	c.sd, c.call, c.sig = sd, dialed[0], dialed[1]
	return c, nil
}

// probe checks that something listens at path before D-Bus gets involved,
// so that the common mistakes get a message that says what to do.
func probe(path string) error {
	conn, err := net.Dial("unix", path)
	if err == nil {
		conn.Close()
		return nil
	}
	how := "Start it with 'svunit daemon' (or 'svunit install-service' to run it at boot), " +
		"or point at another daemon with --bus PATH or $SVUNIT_BUS."
	fi, statErr := os.Stat(path)
	switch {
	case statErr == nil && fi.IsDir():
		err = fmt.Errorf("no svunit daemon listens at %s: it is a directory; --bus and $SVUNIT_BUS name the socket itself", path)
		if inside := filepath.Join(path, "bus"); isSocket(inside) {
			err = fmt.Errorf("%w (did you mean %s?)", err, inside)
		}
	case statErr == nil && fi.Mode().Type() != fs.ModeSocket:
		err = fmt.Errorf("no svunit daemon listens at %s: it is not a socket but a %s; check --bus or $SVUNIT_BUS", path, fileKind(fi.Mode()))
	case errors.Is(err, os.ErrNotExist):
		err = fmt.Errorf("the svunit daemon is not running: there is no bus socket at %s.\n%s", path, how)
	case errors.Is(err, syscall.ECONNREFUSED):
		err = fmt.Errorf("the svunit daemon is not running: nothing listens on %s (a daemon that died left its socket).\n%s", path, how)
	case errors.Is(err, os.ErrPermission):
		err = fmt.Errorf("cannot reach the svunit daemon at %s: permission denied.\nThe system manager's socket is for root and the users its units allow; use --user for your own manager", path)
	default:
		err = fmt.Errorf("cannot reach the svunit daemon at %s: %v.\n%s", path, err, how)
	}
	return &exitError{code: exitNotLoaded, err: err}
}

func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().Type() == fs.ModeSocket
}

// otherManagerHint adds to err, the failure to reach the default bus, that
// the other manager's socket is there: Alice typing 'svunit status' on a
// machine whose root manager runs wants --system, not a manager of her own.
// A bus named by --bus or $SVUNIT_BUS was meant, and gets no hint.
func (g *globals) otherManagerHint(err error) error {
	if g.bus != "" || os.Getenv("SVUNIT_BUS") != "" {
		return err
	}
	other := *g
	other.user, other.system = g.paths().System, !g.paths().System
	flag := "--user"
	if other.system {
		flag = "--system"
	}
	if bus := other.paths().Bus; isSocket(bus) {
		var ee *exitError
		if errors.As(err, &ee) && ee.err != nil {
			ee.err = fmt.Errorf("%w\nThe %s manager listens at %s: add %s to reach it", ee.err, managerKind(other.system), bus, flag)
		}
	}
	return err
}

func managerKind(system bool) string {
	if system {
		return "system"
	}
	return "per-user"
}

// fileKind names the type of a file that is not a socket, for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "regular file"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "file of another type"
}

// busAddress is the D-Bus address of a unix socket path, with the bytes
// the address syntax reserves escaped.
func busAddress(path string) string {
	var b strings.Builder
	b.WriteString("unix:path=")
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_/.\\*", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

func (c *client) Close() { c.sd.Close() }

// svunit calls an io.svunit1.Manager method and stores its reply in out.
func (c *client) svunit(ctx context.Context, method string, out []any, args ...any) error {
	obj := c.call.Object(api.SvunitName, api.ManagerPath)
	call := obj.CallWithContext(ctx, "io.svunit1.Manager."+method, 0, args...)
	if call.Err != nil {
		return callError(call.Err)
	}
	if len(out) == 0 {
		return nil
	}
	if err := call.Store(out...); err != nil {
		return fmt.Errorf("the daemon's reply to %s was not what this svunit expects (%v); are the client and daemon the same version?", method, err)
	}
	return nil
}

// callError turns a D-Bus error into an exit status as systemctl's: a
// missing unit is 5 for jobs (4 for status, which its caller decides),
// permission problems 4, anything else 1.
func callError(err error) error {
	var de dbus.Error
	if pe := (*dbus.Error)(nil); errors.As(err, &pe) {
		de = *pe
	} else if !errors.As(err, &de) {
		de.Name = ""
	}
	if de.Name != "" {
		msg := de.Error()
		switch de.Name {
		case api.ErrNoSuchUnit:
			return &exitError{code: exitNotLoaded, err: errors.New(withNoSuchUnitHint(msg))}
		case api.ErrAccessDenied:
			return &exitError{code: exitNoSuchUnit, err: fmt.Errorf("permission denied: %s", msg)}
		case api.ErrInvalidArgs:
			return &exitError{code: exitUsage, err: errors.New(msg)}
		}
		return &exitError{code: exitFailure, err: errors.New(msg)}
	}
	if errors.Is(err, dbus.ErrClosed) {
		return &exitError{code: exitFailure, err: errors.New("lost the connection to the svunit daemon (did it stop?)")}
	}
	return err
}

// isNoSuchUnit reports whether err is a missing unit or group.
func isNoSuchUnit(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.code == exitNotLoaded
}
