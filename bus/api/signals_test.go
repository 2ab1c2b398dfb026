package api

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestPropertiesChanged watches a unit go from inactive to active and back
// through PropertiesChanged alone, as desktop clients do.
func TestPropertiesChanged(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	c := h.rawConn()
	if err := c.AddMatchSignal(dbus.WithMatchObjectPath(UnitPath("web.unit")), dbus.WithMatchInterface(ifaceProperties)); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 100)
	c.Signal(ch)
	mgr := c.Object(SystemdName, ManagerPath)
	if err := mgr.Call(ifaceManager+".Subscribe", 0).Err; err != nil {
		t.Fatal(err)
	}
	waitState := func(want string) {
		t.Helper()
		deadline := time.After(15 * time.Second)
		for {
			select {
			case s := <-ch:
				if len(s.Body) == 3 && s.Body[0] == ifaceUnit {
					if v, ok := s.Body[1].(map[string]dbus.Variant)["ActiveState"]; ok && v.Value() == want {
						return
					}
				}
			case <-deadline:
				t.Fatalf("no PropertiesChanged with ActiveState=%s; units: %s", want, h.states())
			}
		}
	}
	mgr.Call(ifaceManager+".StartUnit", 0, "web.unit", "replace")
	waitState("active")
	mgr.Call(ifaceManager+".StopUnit", 0, "web.unit", "replace")
	waitState("inactive")
}

// TestJoinSharedBus serves the API on a real dbus-daemon under io.svunit1
// only, as 'svunit daemon --join=session' does, where other users may call:
// they read, but only root and the daemon's user change anything.
func TestJoinSharedBus(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	addr := startDbusDaemon(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	if _, err := h.api.Join("session"); err != nil {
		t.Fatal(err)
	}
	busctl := func(wantErr bool, asNobody bool, args ...string) string {
		t.Helper()
		cmd, cmdArgs := "busctl", append([]string{"--address=" + addr}, args...)
		if asNobody {
			cmd, cmdArgs = "runuser", append([]string{"-u", "nobody", "--", "busctl"}, cmdArgs...)
		}
		out, errOut := h.run(wantErr, cmd, cmdArgs...)
		return strings.TrimSpace(out + errOut)
	}
	busctl(false, false, "call", SvunitName, string(ManagerPath), ifaceSvunitManager, "StartUnits", "as", "1", "web")
	h.waitActive("web.unit", "active")
	if got := busctl(false, true, "get-property", SvunitName, string(UnitPath("web.unit")), ifaceUnit, "ActiveState"); got != `s "active"` {
		t.Errorf("nobody reads ActiveState = %s", got)
	}
	if got := busctl(true, true, "call", SvunitName, string(ManagerPath), ifaceManager, "StopUnit", "ss", "web", "replace"); !strings.Contains(got, "Access denied") {
		t.Errorf("nobody's StopUnit on the shared bus: %s", got)
	}
	if s, _ := h.m.Unit("web.unit"); s.ActiveState != "active" {
		t.Errorf("nobody stopped web.unit through the shared bus")
	}
	if out, _ := h.run(true, "busctl", "--address="+addr, "status", SystemdName); out != "" {
		t.Errorf("the session bus has %s, which svunit must not take there:\n%s", SystemdName, out)
	}
}

// sharedBusConfig is a session bus any local user may use, like a system
// bus without its per-service policy files.
const sharedBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`

// startDbusDaemon runs a session dbus-daemon for the test and returns its
// address, which the daemon prints once it accepts connections.
func startDbusDaemon(t testing.TB) string {
	t.Helper()
	// Not t.TempDir: its parent is private, and other users' clients must
	// reach the socket.
	dir, err := os.MkdirTemp("", "svunit-sharedbus-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	config := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(sharedBusConfig, filepath.Join(dir, "session"))), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+config, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v (install the dbus package)", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}
