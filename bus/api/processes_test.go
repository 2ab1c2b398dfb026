package api

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units/manager"
)

// TestUnitPIDsWithoutCgroup starts a real process group (a shell that
// backgrounds one sleep and becomes another) and checks that a unit with
// no cgroup lists its main process and the rest of its group.
func TestUnitPIDsWithoutCgroup(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "sleep 1000 & exec sleep 1001")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	leader := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(-leader, syscall.SIGKILL)
		cmd.Wait()
	})
	var pids []int
	deadline := time.Now().Add(15 * time.Second)
	for {
		pids = unitPIDs(&manager.Snapshot{MainPID: leader}, processGroups())
		if len(pids) == 2 && cmdline(leader) == "sleep 1001" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the group of %d (%q) shows as %v, want it and its background sleep", leader, cmdline(leader), pids)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if pids[0] != leader || cmdline(pids[1]) != "sleep 1000" {
		t.Errorf("pids %v (%q), want %d first, then the background sleep", pids, cmdline(pids[1]), leader)
	}
	// A cgroup with processes is the whole answer; its members are listed once.
	cg := t.TempDir()
	if err := os.WriteFile(cg+"/cgroup.procs", []byte(fmt.Sprintf("%d\n%d\n", pids[1], leader)), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := unitPIDs(&manager.Snapshot{MainPID: leader, ControlGroup: cg}, nil); !reflect.DeepEqual(got, pids) {
		t.Errorf("unitPIDs from cgroup.procs = %v, want %v", got, pids)
	}
}

// TestControlGroup checks that a running unit's ControlGroup is its cgroup
// below the hierarchy's root, on both interfaces, that GetUnitProcesses
// files its processes under that path, and that systemctl --user status
// draws them under a CGroup line. Where the manager makes no cgroups, it
// checks systemd's empty ControlGroup and the "/NAME" label instead.
func TestControlGroup(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "Unit: Description=the web helper")})
	busctl := func(args ...string) string {
		out, _ := h.run(false, "busctl", append([]string{"--address=" + h.addr}, args...)...)
		return strings.TrimSpace(out)
	}
	path := string(UnitPath("web.unit"))
	if out := busctl("get-property", SystemdName, path, ifaceService, "ControlGroup"); out != `s ""` {
		t.Errorf("ControlGroup of a unit never started = %s", out)
	}
	h.systemctl(false, "start", "web.unit")
	s, _ := h.m.Unit("web.unit")
	want := s.CgroupPath()
	for _, iface := range []string{ifaceService, ifaceUnit} {
		if out := busctl("get-property", SystemdName, path, iface, "ControlGroup"); out != fmt.Sprintf("s %q", want) {
			t.Errorf("%s.ControlGroup = %s, want %q", iface, out, want)
		}
	}
	group := want
	if want == "" {
		group = "/web.unit"
	}
	out := busctl("call", SystemdName, string(ManagerPath), ifaceManager, "GetUnitProcesses", "s", "web.unit")
	if prefix := fmt.Sprintf("a(sus) 1 %q %d ", group, s.MainPID); !strings.HasPrefix(out, prefix) {
		t.Errorf("GetUnitProcesses = %s, want it to start with %s", out, prefix)
	}
	status, _ := h.systemctl(false, "status", "web.unit")
	if want == "" {
		if strings.Contains(status, "CGroup:") {
			t.Errorf("systemctl status shows a cgroup the unit does not have:\n%s", status)
		}
		return
	}
	self, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", s.MainPID))
	if !strings.HasPrefix(want, "/") || !strings.Contains(string(self), "0::"+want+"\n") {
		t.Errorf("ControlGroup %q, but the kernel puts pid %d in:\n%s", want, s.MainPID, self)
	}
	if line := fmt.Sprintf("CGroup: %s\n", want); !strings.Contains(status, line) || !listedPIDs(status)[s.MainPID] {
		t.Errorf("systemctl status lacks %q and a tree line for %d:\n%s", line, s.MainPID, status)
	}
}
