package bus

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// otherUserBus starts a bus that uid nobody can reach (socket 0666 in a
// world-searchable directory) and returns it with nobody's uid.
func otherUserBus(t *testing.T, cfg Config) (*Server, uint32) {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("user nobody: %v", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	dir, err := os.MkdirTemp("", "svbus") // t.TempDir's parent is 0700
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0755); err != nil {
		t.Fatal(err)
	}
	cfg.Path, cfg.Mode = filepath.Join(dir, "sock", "bus"), 0666
	s := testBus(t, cfg)
	if fi, err := os.Stat(filepath.Dir(cfg.Path)); err != nil || fi.Mode().Perm() != 0755 {
		t.Fatalf("socket directory: %v, %v", fi.Mode(), err)
	}
	return s, uint32(uid)
}

// asNobody runs a client as uid nobody and returns its output.
func asNobody(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(lookClient(t, "runuser"), append([]string{"-u", "nobody", "--"}, args...)...).CombinedOutput()
	return string(out), err
}

func TestDefaultPolicyOtherUser(t *testing.T) {
	s, uid := otherUserBus(t, Config{})
	// Peer credentials: nobody's connection is reported as nobody's.
	out, err := asNobody(t, "/usr/bin/python3", "-c",
		`import sys, dbus; b = dbus.bus.BusConnection(sys.argv[1]); print("uid", b.get_unix_user(b.get_unique_name()))`, s.Address())
	if err != nil || !strings.Contains(out, "uid "+strconv.FormatUint(uint64(uid), 10)) {
		t.Fatalf("python as nobody: %v\n%s", err, out)
	}
	// Only the owner and root may own names.
	out, _ = asNobody(t, lookClient(t, "dbus-send"), "--bus="+s.Address(), "--print-reply", "--dest="+busName,
		busPath, busName+".RequestName", "string:org.example.Mine", "uint32:0")
	if !strings.Contains(out, errAccessDenied) {
		t.Fatalf("RequestName as nobody printed:\n%s", out)
	}
	// Nobody may still call services.
	exportEcho(t, s)
	out, err = asNobody(t, lookClient(t, "busctl"), "--address="+s.Address(), "call", svcName, svcPath, svcIface, "Echo", "s", "as nobody")
	if err != nil || strings.TrimSpace(out) != `s "as nobody"` {
		t.Fatalf("busctl as nobody: %v\n%s", err, out)
	}
}

// denyMember is a policy that refuses calls of one member.
type denyMember struct {
	Policy
	member string
}

func (p denyMember) CanSend(c Cred, m *dbus.Message) error {
	if m.Headers[dbus.FieldMember].Value() == p.member && m.Headers[dbus.FieldSender].Value() != "" {
		return errors.New("calls of " + p.member + " are not allowed")
	}
	return nil
}

func TestCustomPolicy(t *testing.T) {
	s := testBus(t, Config{Policy: denyMember{DefaultPolicy(uint32(os.Getuid())), "Fail"}})
	exportEcho(t, s)
	c := dial(t, s)
	var got string
	if err := c.Object(svcName, svcPath).Call(svcIface+".Echo", 0, "allowed").Store(&got); err != nil {
		t.Fatal(err)
	}
	err := c.Object(svcName, svcPath).Call(svcIface+".Fail", 0).Err
	var de dbus.Error
	if !errors.As(err, &de) || de.Name != errAccessDenied || !strings.Contains(de.Error(), "not allowed") {
		t.Fatalf("denied call returned %v", err)
	}
}
