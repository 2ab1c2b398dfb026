package api

import "svunit.dev/svunit/units/manager"

// The job gate keeps a JobRemoved signal from overtaking the reply that
// names its job. A job-creating call holds the gate from before it asks the
// manager for jobs until it knows their ids; those ids then stay unsent
// until its reply is on the wire. A JobRemoved that arrives meanwhile is
// parked if its job is unsent, or if a call that began before it arrived
// has not said which jobs are its own yet. Calls that begin later cannot
// own it, so a steady stream of calls never starves a parked signal.

// A parkedEvent is a JobRemoved waiting at the gate; seq is the last call
// sequence number handed out when it arrived.
type parkedEvent struct {
	e   manager.Event
	seq uint64
}

// holdJobs marks c as creating jobs and returns register, which records
// the ids of c's jobs; the reply hook releases them.
func (a *API) holdJobs(c *call) func(ids []uint32) {
	a.mu.Lock()
	a.holdSeq++
	seq := a.holdSeq
	a.holding[seq] = true
	a.mu.Unlock()
	var mine []uint32 // guarded by a.mu
	c.onReplied(func() {
		a.mu.Lock()
		delete(a.holding, seq) // when the call failed before register
		for _, id := range mine {
			delete(a.unsent, id)
		}
		if len(a.unsent) == 0 && len(mine) > 0 {
			a.unsent = map[uint32]bool{} // a Go map never shrinks: give back the room a mass start grew
		}
		a.mu.Unlock()
		a.poke()
	})
	return func(ids []uint32) {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, id := range ids {
			a.unsent[id] = true
		}
		mine = ids
		delete(a.holding, seq)
	}
}

// mustPark reports whether p has to wait; a.mu must be held.
func (a *API) mustPark(p parkedEvent) bool {
	if a.unsent[p.e.Job.ID] {
		return true
	}
	for s := range a.holding {
		if s <= p.seq {
			return true
		}
	}
	return false
}

// gateJobRemoved emits e now, or parks it until the gate lets it through.
func (a *API) gateJobRemoved(e manager.Event) {
	a.mu.Lock()
	p := parkedEvent{e, a.holdSeq}
	park := a.mustPark(p)
	if park {
		a.parked = append(a.parked, p)
	}
	a.mu.Unlock()
	if !park {
		a.emitJobRemoved(e.Job)
	}
}

// releaseParked emits the parked JobRemoved events whose replies are out.
func (a *API) releaseParked() {
	a.mu.Lock()
	var ready []manager.Event
	keep := a.parked[:0]
	for _, p := range a.parked {
		if a.mustPark(p) {
			keep = append(keep, p)
		} else {
			ready = append(ready, p.e)
		}
	}
	a.parked = keep
	a.mu.Unlock()
	for _, e := range ready {
		a.emitJobRemoved(e.Job)
	}
}
