package api

import (
	"errors"
	"reflect"
	"sync"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units/manager"
)

// pump turns the manager's events into D-Bus signals. It is the only
// goroutine that emits them, so each unit's signals keep the manager's
// order. Sending a signal takes far longer than the manager takes to
// publish an event, and a mass stop publishes several events per unit at
// once, so the events do not wait in the manager's subscription (which the
// manager drops when it is full) but in the pump's backlog, which a
// goroutine of its own (drain) fills as fast as they come. Should the
// backlog still outgrow its bound, or the manager drop the subscription,
// the pump starts over and tells clients every unit's current state.
func (a *API) pump(sub *manager.Subscription) {
	defer a.wg.Done()
	b := a.drain(sub)
	defer func() { b.sub.Close() }()
	for {
		select {
		case <-b.ready:
			es, lost := b.take()
			for _, e := range es {
				a.handle(e)
			}
			if lost == nil {
				continue
			}
			if !errors.Is(lost, manager.ErrSlowSubscriber) && !errors.Is(lost, errBacklogFull) {
				<-a.done // the manager shut down: nothing more to tell
				return
			}
			a.logf("api: %v; re-sending every unit's state", lost)
			b.sub.Close()
			b = a.drain(a.m.Subscribe())
			a.jobs.reset(a.m.Jobs())
			a.resync()
		case <-a.wake:
			a.releaseParked()
		case <-a.done:
			return
		}
	}
}

// errBacklogFull is why the pump starts over when its backlog is full.
var errBacklogFull = errors.New("api: more manager events waiting than the bus could take (backlog full), the oldest were dropped")

// backlogPerUnit bounds the pump's backlog: this many events per loaded
// unit (on top of manager.SubscriptionBuffer), several times what a start
// or stop of every unit at once publishes, so only a bus that takes no
// signals at all for a long time fills it.
const backlogPerUnit = 32

// A backlog holds the events drain took from a subscription until the
// pump handles them.
type backlog struct {
	sub   *manager.Subscription
	ready chan struct{} // holds a token while q or lost has news; never blocks the sender

	mu   sync.Mutex      // guards the fields below
	q    []manager.Event // in the manager's order
	lost error           // why events were lost, or the subscription ended; nil while it runs
}

// drain starts moving sub's events into a new backlog, until sub ends.
func (a *API) drain(sub *manager.Subscription) *backlog {
	b := &backlog{sub: sub, ready: make(chan struct{}, 1)}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		limit := a.backlogLimit()
		for e := range sub.C {
			if !b.push(e, limit) {
				limit = a.backlogLimit() // units may have been added: look again before giving up
				if !b.push(e, limit) {
					b.end(errBacklogFull)
					sub.Close()
				}
			}
		}
		b.end(sub.Err())
	}()
	return b
}

// backlogLimit is the bound of the backlog for the units loaded now.
func (a *API) backlogLimit() int {
	return manager.SubscriptionBuffer + backlogPerUnit*len(a.m.Set().Units())
}

// push queues e and reports whether it fit under limit.
func (b *backlog) push(e manager.Event, limit int) bool {
	b.mu.Lock()
	if len(b.q) >= limit {
		b.mu.Unlock()
		return false
	}
	b.q = append(b.q, e)
	b.mu.Unlock()
	b.poke()
	return true
}

// end records why the backlog gets no more events; the first reason stays.
func (b *backlog) end(err error) {
	b.mu.Lock()
	if b.lost == nil {
		b.lost = err
	}
	b.mu.Unlock()
	b.poke()
}

func (b *backlog) poke() {
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// take returns the queued events and, once they are all taken, why no
// more will come (nil while the subscription runs). Events queued before
// a full backlog was seen are dropped with it: a resync replaces them.
func (b *backlog) take() ([]manager.Event, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.q
	b.q = nil
	if errors.Is(b.lost, errBacklogFull) {
		return nil, b.lost
	}
	return q, b.lost
}

func (a *API) handle(e manager.Event) {
	switch e.Type {
	case manager.UnitNew:
		a.emitUnit(ManagerPath, ifaceManager+".UnitNew", e.Unit, UnitPath(e.Unit))
	case manager.UnitRemoved:
		a.emitUnit(ManagerPath, ifaceManager+".UnitRemoved", e.Unit, UnitPath(e.Unit))
	case manager.UnitChanged:
		if e.Old == nil || e.New == nil || len(a.subscribedConns()) == 0 {
			return
		}
		o, n := infoOf(e.Old), infoOf(e.New)
		a.emitChanged(&o, &n)
	case manager.JobNew:
		j := e.Job
		a.jobs.add(j)
		a.emit(ManagerPath, ifaceManager+".JobNew", j.ID, JobPath(j.ID), j.Unit)
		a.emitJobProp(j.Unit, jobRef{j.ID, JobPath(j.ID)})
	case manager.JobRemoved:
		a.jobs.remove(e.Job)
		a.gateJobRemoved(e)
	}
}

func (a *API) emitJobRemoved(j *manager.Job) {
	a.emitJobProp(j.Unit, jobRef{0, "/"})
	a.emit(ManagerPath, ifaceManager+".JobRemoved", j.ID, JobPath(j.ID), j.Unit, string(j.Result))
}

func (a *API) emitJobProp(unit string, j jobRef) {
	a.emitUnit(UnitPath(unit), ifaceProperties+".PropertiesChanged", ifaceUnit,
		map[string]dbus.Variant{"Job": dbus.MakeVariant(j)}, []string{})
}

// changedTables are the interfaces whose dynamic properties a state change
// can touch.
var changedTables = []struct {
	iface string
	props []prop[*unitInfo]
}{
	{ifaceUnit, unitProps},
	{ifaceService, serviceProps},
	{ifaceSvunitUnit, svunitUnitProps},
}

// emitChanged sends PropertiesChanged for each interface whose dynamic
// properties differ between o and n; o nil means all of them.
func (a *API) emitChanged(o, n *unitInfo) {
	for _, t := range changedTables {
		changed := map[string]dbus.Variant{}
		for _, p := range t.props {
			if !p.dynamic || p.name == "Job" {
				continue
			}
			nv := p.get(n)
			if o != nil && reflect.DeepEqual(p.get(o), nv) {
				continue
			}
			changed[p.name] = dbus.MakeVariantWithSignature(nv, dbus.ParseSignatureMust(p.sig))
		}
		if len(changed) > 0 {
			a.emitUnit(UnitPath(n.Name), ifaceProperties+".PropertiesChanged", t.iface, changed, []string{})
		}
	}
}

// resync tells clients every unit's dynamic state, after the pump lost
// events.
func (a *API) resync() {
	if len(a.subscribedConns()) == 0 {
		return
	}
	for _, s := range a.m.Units() {
		n := infoOf(&s)
		a.emitChanged(nil, &n)
	}
}
