package api

import (
	"fmt"

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
//
// Subscribers leave by calling Unsubscribe or by leaving the bus. To see
// the second, each connection the API serves on holds one match rule for
// every name that loses its owner (leftRule), added by Serve, and the API
// looks the name up in its own table. A rule per subscriber would be
// simpler to filter but would spend the bus's per-connection match-rule
// limit (512 on svunit's bus), capping the number of subscribers there.

// leftRule matches NameOwnerChanged signals for a name that loses its
// owner (the new owner, argument 2, is empty), which for a unique name
// means the client left the bus.
var leftRule = []dbus.MatchOption{
	dbus.WithMatchSender("org.freedesktop.DBus"),
	dbus.WithMatchObjectPath("/org/freedesktop/DBus"),
	dbus.WithMatchInterface("org.freedesktop.DBus"),
	dbus.WithMatchMember("NameOwnerChanged"),
	dbus.WithMatchArg(2, ""),
}

// watchLeaving adds leftRule on conn and returns the channel its signals
// arrive on, for watchSubscribers. Serve calls it once per connection.
func watchLeaving(conn *dbus.Conn) (chan *dbus.Signal, error) {
	ch := make(chan *dbus.Signal, 64)
	conn.Signal(ch)
	if err := conn.AddMatchSignal(leftRule...); err != nil {
		conn.RemoveSignal(ch)
		return nil, fmt.Errorf("api: cannot watch for Subscribe callers leaving the bus (AddMatch for NameOwnerChanged): %w", err)
	}
	return ch, nil
}

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
	// The caller may have left between sending Subscribe and being recorded,
	// in which case watchSubscribers saw it go before there was anything to
	// forget: ask the bus whether it is still there.
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

// dropSubscriber forgets name as a subscriber on conn, if it was one.
func (a *API) dropSubscriber(conn *dbus.Conn, name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	set := a.subs[conn]
	delete(set, name)
	if len(set) == 0 {
		delete(a.subs, conn)
	}
}

// watchSubscribers reads the signals of conn (registered on ch by
// watchLeaving) and drops subscribers as they leave the bus; it ends when
// conn closes. Only the bus driver's NameOwnerChanged counts: any client
// may send the manager a signal of that name, and must not be able to
// unsubscribe somebody else with it.
func (a *API) watchSubscribers(conn *dbus.Conn, ch chan *dbus.Signal) {
	defer a.wg.Done()
	for s := range ch {
		if s.Name != "org.freedesktop.DBus.NameOwnerChanged" || s.Sender != "org.freedesktop.DBus" || len(s.Body) != 3 {
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
