//go:build linux

package manager

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSettled checks that Config.Settled runs once the jobs of Boot, and
// then of a Reload, are done, and that a reload hands unchanged units the
// new set's definition (so the parsed unit is not kept twice) without an
// event.
func TestSettled(t *testing.T) {
	dir := t.TempDir()
	enabled := sleeper + "[Install]\nWantedBy=default.target\n"
	writeUnit(t, dir, "same.unit", enabled)
	writeUnit(t, dir, "changed.unit", enabled)
	settled := make(chan map[string]State, 1)
	var m *Manager
	cfg := Config{UnitDir: dir, Logf: t.Logf, Settled: func() {
		states := map[string]State{}
		for _, s := range m.Units() {
			states[s.Unit.Name] = s.State
		}
		settled <- states
	}}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	waitSettled := func(when string, want ...string) {
		t.Helper()
		select {
		case states := <-settled:
			for _, name := range want {
				if states[name] != Running {
					t.Errorf("Settled after %s ran with %s %s, before its start job was done", when, name, states[name])
				}
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("Settled was not called within 20s of %s", when)
		}
	}
	m.Boot()
	waitSettled("Boot", "same.unit", "changed.unit")

	before, _ := m.Unit("same")
	sub := m.Subscribe()
	defer sub.Close()
	writeUnit(t, dir, "changed.unit", strings.Replace(enabled, "3600", "3601", 1))
	writeUnit(t, dir, "new.unit", enabled)
	if _, err := m.Reload(); err != nil {
		t.Fatal(err)
	}
	waitSettled("Reload", "changed.unit", "new.unit")
	m.Kill("same", "main", 0) // answered after the reload's message to the unit
	after, _ := m.Unit("same")
	if after.Unit != m.Set().Get("same") || after.Unit == before.Unit {
		t.Errorf("unchanged unit: snapshot's definition %p, set's %p (before the reload %p); want the set's", after.Unit, m.Set().Get("same"), before.Unit)
	}
	if after.MainPID != before.MainPID {
		t.Errorf("unchanged unit restarted: pid %d → %d", before.MainPID, after.MainPID)
	}
	for len(sub.C) > 0 {
		if e := <-sub.C; e.Unit == "same.unit" && e.Type != JobRemoved { // the boot's JobRemoved may come after Settled
			t.Errorf("reload published %s for the unchanged unit", e.Type)
		}
	}
}
