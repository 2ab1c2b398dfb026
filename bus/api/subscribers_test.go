package api

import (
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/bus"
)

// TestSubscribersBeyondMatchLimit subscribes more clients than the bus lets
// one connection hold match rules, checks that every one of them gets unit
// signals, and that the API forgets each of them once it leaves the bus.
func TestSubscribersBeyondMatchLimit(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", "")})
	n := bus.MaxMatchRules + 16
	chans := make([]chan *dbus.Signal, n)
	clients := make([]*dbus.Conn, n)
	for i := range clients {
		c, err := dbus.Connect(h.addr)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		t.Cleanup(func() { c.Close() })
		if err := c.AddMatchSignal(dbus.WithMatchObjectPath(UnitPath("web.unit")), dbus.WithMatchInterface(ifaceProperties)); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		chans[i] = make(chan *dbus.Signal, 64)
		c.Signal(chans[i])
		if err := c.Object(SystemdName, ManagerPath).Call(ifaceManager+".Subscribe", 0).Err; err != nil {
			t.Fatalf("Subscribe from client %d of %d: %v", i, n, err)
		}
		clients[i] = c
	}
	if got := h.api.subscriberCount(); got != n {
		t.Fatalf("the API holds %d subscribers, want %d", got, n)
	}
	if err := clients[0].Object(SystemdName, ManagerPath).Call(ifaceManager+".StartUnit", 0, "web.unit", "replace").Err; err != nil {
		t.Fatal(err)
	}
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for i, ch := range chans {
		for active := false; !active; {
			select {
			case s := <-ch:
				if len(s.Body) == 3 && s.Body[0] == ifaceUnit {
					v, ok := s.Body[1].(map[string]dbus.Variant)["ActiveState"]
					active = ok && v.Value() == "active"
				}
			case <-deadline.C:
				t.Fatalf("subscriber %d of %d got no PropertiesChanged with ActiveState=active; units: %s", i, n, h.states())
			}
		}
	}
	for _, c := range clients {
		c.Close()
	}
	waitSubscribers(t, h.api, 0)
}

// TestForgedNameOwnerChanged checks that a client cannot unsubscribe
// another by sending the manager a NameOwnerChanged of its own: only the
// bus's says who left.
func TestForgedNameOwnerChanged(t *testing.T) {
	h := newHarness(t, nil)
	victim, forger := h.rawConn(), h.rawConn()
	for _, c := range []*dbus.Conn{victim, forger} {
		if err := c.Object(SystemdName, ManagerPath).Call(ifaceManager+".Subscribe", 0).Err; err != nil {
			t.Fatal(err)
		}
	}
	var manager string
	if err := forger.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, SystemdName).Store(&manager); err != nil {
		t.Fatal(err)
	}
	forged := &dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldPath:        dbus.MakeVariant(dbus.ObjectPath("/org/freedesktop/DBus")),
		dbus.FieldInterface:   dbus.MakeVariant("org.freedesktop.DBus"),
		dbus.FieldMember:      dbus.MakeVariant("NameOwnerChanged"),
		dbus.FieldDestination: dbus.MakeVariant(manager),
		dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf("", "", "")),
	}, Body: []any{victim.Names()[0], victim.Names()[0], ""}}
	if call := forger.Send(forged, nil); call.Err != nil {
		t.Fatal(call.Err)
	}
	// The forger's own departure is announced after its forged signal, so
	// once the API has forgotten the forger it has seen the forgery too.
	forger.Close()
	waitSubscribers(t, h.api, 1)
	h.api.mu.Lock()
	still := h.api.subs[h.api.conns[0]][victim.Names()[0]]
	h.api.mu.Unlock()
	if !still {
		t.Errorf("a NameOwnerChanged sent by a client unsubscribed %s", victim.Names()[0])
	}
}

// subscriberCount returns how many subscribers the API holds on all its
// connections.
func (a *API) subscriberCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, set := range a.subs {
		n += len(set)
	}
	return n
}

// waitSubscribers waits until the API holds want subscribers. The API
// forgets one when the bus's NameOwnerChanged reaches it, which nothing
// outside the package can observe, so this checks on a short tick against
// a deadline.
func waitSubscribers(t *testing.T, a *API, want int) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for a.subscriberCount() != want {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("the API still holds %d subscribers, want %d", a.subscriberCount(), want)
		}
	}
}
