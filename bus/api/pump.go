package api

import (
	"errors"
	"reflect"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units/manager"
)

// pump turns the manager's events into D-Bus signals. It is the only
// goroutine that emits them, so each unit's signals keep the manager's
// order; it never blocks the manager, which drops a subscriber that falls
// behind instead of waiting. When that happens the pump subscribes again
// and tells clients every unit's current state.
func (a *API) pump(sub *manager.Subscription) {
	defer a.wg.Done()
	defer func() { sub.Close() }()
	for {
		select {
		case e, ok := <-sub.C:
			if !ok {
				if !errors.Is(sub.Err(), manager.ErrSlowSubscriber) {
					<-a.done // the manager shut down: nothing more to tell
					return
				}
				a.logf("api: %v; re-sending every unit's state", sub.Err())
				sub = a.m.Subscribe()
				a.jobs.reset(a.m.Jobs())
				a.resync()
				continue
			}
			a.handle(e)
		case <-a.wake:
			a.releaseParked()
		case <-a.done:
			return
		}
	}
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
