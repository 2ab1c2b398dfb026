package api

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// rawConn is a plain godbus client of the harness's bus.
func (h *harness) rawConn(opts ...dbus.ConnOption) *dbus.Conn {
	h.t.Helper()
	c, err := dbus.Connect(h.addr, opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// errName returns the D-Bus error name of err, or "".
func errName(err error) string {
	var e dbus.Error
	if errors.As(err, &e) {
		return e.Name
	}
	return ""
}

func TestBadInput(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	c := h.rawConn()
	mgr := c.Object(SystemdName, ManagerPath)
	unit := c.Object(SystemdName, UnitPath("web.unit"))
	for _, tc := range []struct {
		what string
		call *dbus.Call
		want string
	}{
		{"start of an unknown unit", mgr.Call(ifaceManager+".StartUnit", 0, "nosuch.unit", "replace"), ErrNoSuchUnit},
		{"GetUnit of an unknown unit", mgr.Call(ifaceManager+".GetUnit", 0, "nosuch"), ErrNoSuchUnit},
		{"an unknown group", mgr.Call(ifaceSvunitManager+".StartUnits", 0, []string{"@nosuch"}), ErrNoSuchUnit},
		{"an unknown method", mgr.Call(ifaceManager+".Frobnicate", 0), ErrUnknownMethod},
		{"an unknown interface", mgr.Call("org.example.Nope.Get", 0), ErrUnknownInterface},
		{"an unknown object", c.Object(SystemdName, "/org/example").Call(ifaceProperties+".GetAll", 0, ""), ErrUnknownObject},
		{"wrong argument types", mgr.Call(ifaceManager+".StartUnit", 0, int32(1), "replace"), ErrInvalidArgs},
		{"missing arguments", mgr.Call(ifaceManager+".StartUnit", 0, "web.unit"), ErrInvalidArgs},
		{"a bad job mode", mgr.Call(ifaceManager+".StartUnit", 0, "web.unit", "sideways"), ErrInvalidArgs},
		{"an unsupported job mode", mgr.Call(ifaceManager+".StartUnit", 0, "web.unit", "isolate"), ErrNotSupported},
		{"a bad signal", mgr.Call(ifaceManager+".KillUnit", 0, "web.unit", "all", int32(99)), ErrInvalidArgs},
		{"a bad whom", mgr.Call(ifaceManager+".KillUnit", 0, "web.unit", "everyone", int32(15)), ErrInvalidArgs},
		{"an unknown property", unit.Call(ifaceProperties+".Get", 0, ifaceUnit, "Colour"), ErrUnknownProperty},
		{"setting a property", unit.Call(ifaceProperties+".Set", 0, ifaceUnit, "Description", dbus.MakeVariant("x")), ErrPropertyReadOnly},
		{"a bad glob", mgr.Call(ifaceManager+".ListUnitsByPatterns", 0, []string{}, []string{"[x"}), ErrInvalidArgs},
		{"an unknown job", mgr.Call(ifaceManager+".GetJob", 0, uint32(12345)), ErrNoSuchJob},
	} {
		if got := errName(tc.call.Err); got != tc.want {
			t.Errorf("%s: error %q (%v), want %s", tc.what, got, tc.call.Err, tc.want)
		}
		var e dbus.Error
		if errors.As(tc.call.Err, &e) && (len(e.Body) != 1 || e.Body[0] == "") {
			t.Errorf("%s: error %s has no message for a person: %v", tc.what, e.Name, e.Body)
		}
	}
	// The manager is unharmed: a good call still works.
	var job dbus.ObjectPath
	if err := mgr.Call(ifaceManager+".StartUnit", 0, "web.unit", "replace").Store(&job); err != nil {
		t.Fatalf("after bad calls, StartUnit failed: %v", err)
	}
	h.waitActive("web.unit", "active")
}

// A client that disconnects while its job runs leaves the job and the
// manager unharmed.
func TestClientDisconnectsMidJob(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	c, err := dbus.Connect(h.addr)
	if err != nil {
		t.Fatal(err)
	}
	var job dbus.ObjectPath
	if err := c.Object(SystemdName, ManagerPath).Call(ifaceManager+".StartUnit", 0, "web.unit", "replace").Store(&job); err != nil {
		t.Fatal(err)
	}
	c.Close()
	h.waitActive("web.unit", "active")
	c2 := h.rawConn()
	var state dbus.Variant
	if err := c2.Object(SystemdName, UnitPath("web.unit")).Call(ifaceProperties+".Get", 0, ifaceUnit, "ActiveState").Store(&state); err != nil || state.Value() != "active" {
		t.Errorf("after the client left: ActiveState %v, %v", state, err)
	}
}

// JobRemoved never overtakes the reply that names the job, even for jobs
// that finish at once (stopping a stopped unit): clients that wait for
// known jobs only, as systemctl does, would otherwise hang.
func TestJobRemovedFollowsReply(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	var mu sync.Mutex
	seen := map[dbus.ObjectPath]string{} // job → "reply" or "removed", whichever came first
	c := h.rawConn(dbus.WithIncomingInterceptor(func(m *dbus.Message) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case m.Type == dbus.TypeMethodReply && len(m.Body) == 1:
			if p, ok := m.Body[0].(dbus.ObjectPath); ok && seen[p] == "" {
				seen[p] = "reply"
			}
		case m.Type == dbus.TypeSignal && len(m.Body) == 4:
			if p, ok := m.Body[1].(dbus.ObjectPath); ok && seen[p] == "" {
				seen[p] = "removed"
			}
		}
	}))
	if err := c.AddMatchSignal(dbus.WithMatchInterface(ifaceManager), dbus.WithMatchMember("JobRemoved")); err != nil {
		t.Fatal(err)
	}
	mgr := c.Object(SystemdName, ManagerPath)
	for i := 0; i < 200; i++ {
		if err := mgr.Call(ifaceManager+".StopUnit", 0, "web.unit", "replace").Err; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for p, first := range seen {
		if first != "reply" {
			t.Errorf("%s: JobRemoved arrived before the reply", p)
		}
	}
	if len(seen) < 200 {
		t.Errorf("saw %d jobs, want 200", len(seen))
	}
}

// TestJobsDuringReload queues jobs on a unit while reloads remove and
// re-add it: each call gets a job with a result or NoSuchUnit, never a
// hang, and the manager keeps working.
func TestJobsDuringReload(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", ""), "flip.unit": helperUnit("sleep", "")})
	file := filepath.Join(h.dir, "units", "flip.unit")
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := h.rawConn()
	if err := c.AddMatchSignal(dbus.WithMatchInterface(ifaceManager), dbus.WithMatchMember("JobRemoved")); err != nil {
		t.Fatal(err)
	}
	removed := make(chan *dbus.Signal, 1000)
	c.Signal(removed)
	mgr := c.Object(SystemdName, ManagerPath)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			if i%2 == 0 {
				os.Remove(file)
			} else {
				os.WriteFile(file, content, 0o644)
			}
			if err := mgr.Call(ifaceManager+".Reload", 0).Err; err != nil {
				t.Errorf("Reload: %v", err)
			}
		}
	}()
	jobs := map[dbus.ObjectPath]bool{}
	for i := 0; i < 40; i++ {
		method := ifaceManager + ".StartUnit"
		if i%2 == 1 {
			method = ifaceManager + ".StopUnit"
		}
		var job dbus.ObjectPath
		err := mgr.Call(method, 0, "flip", "replace").Store(&job)
		switch {
		case err == nil:
			jobs[job] = true
		case errName(err) != ErrNoSuchUnit:
			t.Errorf("%s during reload: %v", method, err)
		}
	}
	<-done
	deadline := time.After(20 * time.Second)
	for len(jobs) > 0 {
		select {
		case s := <-removed:
			p, _ := s.Body[1].(dbus.ObjectPath)
			if jobs[p] {
				delete(jobs, p)
				if r, _ := s.Body[3].(string); r != "done" && r != "skipped" && r != "canceled" {
					t.Errorf("job %s on flip.unit ended %q", p, r)
				}
			}
		case <-deadline:
			t.Fatalf("%d jobs never finished: %v", len(jobs), jobs)
		}
	}
	if err := mgr.Call(ifaceManager+".StartUnit", 0, "web", "replace").Err; err != nil {
		t.Fatalf("after the reloads, StartUnit failed: %v", err)
	}
	h.waitActive("web.unit", "active")
}
