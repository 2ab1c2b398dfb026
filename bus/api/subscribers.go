package api

import (
	"github.com/godbus/dbus/v5"
)

// maxSubscribers bounds the Subscribe calls one bus connection may hold, so
// that a client looping on Subscribe with new connections cannot grow the
// daemon without end.
const maxSubscribers = 4096

// As systemd, svunit sends unit signals (PropertiesChanged, UnitNew,
// UnitRemoved, Reloading) only while a client that called Subscribe is
// connected: a start of a thousand units makes tens of thousands of them,
// and with nobody listening they would only queue up in front of the
// replies. JobNew and JobRemoved always go out, since clients wait for
// their jobs without subscribing (systemctl, go-systemd).

// subscribe records the caller as a subscriber on its connection until it
// calls Unsubscribe or leaves the bus.
func subscribe(c *call) ([]any, error) {
	a := c.a
	a.mu.Lock()
	set := a.subs[c.conn]
	if set == nil {
		set = map[string]bool{}
		a.subs[c.conn] = set
	}
	if set[c.sender] {
		a.mu.Unlock()
		return nil, nil
	}
	if len(set) >= maxSubscribers {
		a.mu.Unlock()
		return nil, busError(ErrLimitsExceeded, "Too many subscribers (%d) on this bus connection.", maxSubscribers)
	}
	set[c.sender] = true
	a.mu.Unlock()
	// Watch for the subscriber leaving, then check it has not left already.
	rule := []dbus.MatchOption{dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, c.sender)}
	if err := c.conn.AddMatchSignal(rule...); err != nil {
		a.logf("api: cannot watch subscriber %s: %v", c.sender, err)
	}
	var owner string
	if err := c.conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, c.sender).Store(&owner); err != nil {
		a.dropSubscriber(c.conn, c.sender)
	}
	return nil, nil
}

func unsubscribe(c *call) ([]any, error) {
	c.a.dropSubscriber(c.conn, c.sender)
	return nil, nil
}

func (a *API) dropSubscriber(conn *dbus.Conn, name string) {
	a.mu.Lock()
	had := a.subs[conn][name]
	delete(a.subs[conn], name)
	a.mu.Unlock()
	if had {
		conn.RemoveMatchSignal(dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, name))
	}
}

// watchSubscribers drops subscribers of conn as they leave the bus; it ends
// when conn closes.
func (a *API) watchSubscribers(conn *dbus.Conn) {
	defer a.wg.Done()
	ch := make(chan *dbus.Signal, 64)
	conn.Signal(ch)
	for s := range ch {
		if s.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(s.Body) != 3 {
			continue
		}
		name, _ := s.Body[0].(string)
		if newOwner, _ := s.Body[2].(string); newOwner == "" {
			a.dropSubscriber(conn, name)
		}
	}
}

// subscribedConns returns the connections with at least one subscriber.
func (a *API) subscribedConns() []*dbus.Conn {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*dbus.Conn
	for _, c := range a.conns {
		if len(a.subs[c]) > 0 {
			out = append(out, c)
		}
	}
	return out
}
