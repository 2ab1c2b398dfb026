package api

import (
	"strconv"
	"strings"
	"testing"
)

func TestBusctlStartStopAndProperties(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	busctl := func(wantErr bool, args ...string) string {
		out, _ := h.run(wantErr, "busctl", append([]string{"--address=" + h.addr}, args...)...)
		return out
	}
	out := busctl(false, "call", SystemdName, string(ManagerPath), ifaceManager, "StartUnit", "ss", "web.unit", "replace")
	if !strings.HasPrefix(out, `o "/org/freedesktop/systemd1/job/`) {
		t.Fatalf("StartUnit replied %q", out)
	}
	h.waitActive("web.unit", "active")
	out = busctl(false, "get-property", SystemdName, string(UnitPath("web.unit")), ifaceUnit, "ActiveState")
	if strings.TrimSpace(out) != `s "active"` {
		t.Errorf("ActiveState = %q", out)
	}
	s, _ := h.m.Unit("web.unit")
	out = busctl(false, "get-property", SystemdName, string(UnitPath("web.unit")), ifaceService, "MainPID")
	if want := "u " + itoa(s.MainPID); strings.TrimSpace(out) != want {
		t.Errorf("MainPID = %q, want %q", out, want)
	}
	out = busctl(false, "introspect", SystemdName, string(UnitPath("web.unit")))
	for _, want := range []string{ifaceUnit, ifaceService, ifaceSvunitUnit, ".ActiveState", ".MainPID", ".SupervisorState"} {
		if !strings.Contains(out, want) {
			t.Errorf("introspect lacks %q:\n%s", want, out)
		}
	}
	busctl(false, "call", SystemdName, string(ManagerPath), ifaceManager, "StopUnit", "ss", "web.unit.service", "replace")
	h.waitActive("web.unit", "inactive")
	out = busctl(false, "get-property", SystemdName, string(UnitPath("web.unit")), ifaceUnit, "ActiveState")
	if strings.TrimSpace(out) != `s "inactive"` {
		t.Errorf("after stop, ActiveState = %q", out)
	}
}

func TestBusctlTree(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", ""), "worker@.unit": helperUnit("sleep", "Service: Instances=2")})
	out, _ := h.run(false, "busctl", "--address="+h.addr, "tree", "--list", SystemdName)
	for _, want := range []string{"/org/freedesktop/systemd1", "/org/freedesktop/systemd1/unit/web_2eunit", "/org/freedesktop/systemd1/unit/worker_401_2eunit"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("busctl tree lacks %s:\n%s", want, out)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
