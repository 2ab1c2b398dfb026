package api

import (
	"bufio"
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

// TestJoinSessionBus serves the API on a real dbus-daemon --session under
// io.svunit1 only, as 'svunit daemon --join=session' does.
func TestJoinSessionBus(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	addr := startDbusDaemon(t)
	if _, err := h.api.Dial(addr, SvunitName); err != nil {
		t.Fatal(err)
	}
	busctl := func(args ...string) string {
		out, _ := h.run(false, "busctl", append([]string{"--address=" + addr}, args...)...)
		return strings.TrimSpace(out)
	}
	busctl("call", SvunitName, string(ManagerPath), ifaceSvunitManager, "StartUnits", "as", "1", "web")
	h.waitActive("web.unit", "active")
	if got := busctl("get-property", SvunitName, string(UnitPath("web.unit")), ifaceUnit, "ActiveState"); got != `s "active"` {
		t.Errorf("ActiveState on the session bus = %s", got)
	}
	if out, _ := h.run(true, "busctl", "--address="+addr, "status", SystemdName); out != "" {
		t.Errorf("the session bus has %s, which svunit must not take there:\n%s", SystemdName, out)
	}
}

// startDbusDaemon runs a session dbus-daemon for the test and returns its
// address, which the daemon prints once it accepts connections.
func startDbusDaemon(t testing.TB) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "session")
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:path="+sock)
	cmd.Stderr = os.Stderr
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

// TestSubscribers checks that unit signals go only to subscribers and that
// a subscriber leaving the bus stops them.
func TestSubscribers(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	c, err := dbus.Connect(h.addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Object(SystemdName, ManagerPath).Call(ifaceManager+".Subscribe", 0).Err; err != nil {
		t.Fatal(err)
	}
	if n := len(h.api.subscribedConns()); n != 1 {
		t.Fatalf("after Subscribe, %d connections have subscribers", n)
	}
	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for len(h.api.subscribedConns()) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("a subscriber that left the bus is still subscribed")
		}
		time.Sleep(time.Millisecond)
	}
}
