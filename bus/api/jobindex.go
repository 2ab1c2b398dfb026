package api

import (
	"sort"
	"sync"

	"svunit.dev/svunit/units/manager"
)

// jobIndex holds the pending jobs by id and by unit, so that a property
// read or a listing does not copy and sort the manager's job table: during
// a start of a thousand units that table holds a thousand jobs. The pump
// writes it from JobNew and JobRemoved events; calls read it.
type jobIndex struct {
	mu     sync.RWMutex            // guards the maps
	byID   map[uint32]*manager.Job // pending jobs
	byUnit map[string]*manager.Job // the pending job of each unit
}

// reset replaces the index with js, the manager's current jobs.
func (x *jobIndex) reset(js []*manager.Job) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byID = make(map[uint32]*manager.Job, len(js))
	x.byUnit = make(map[string]*manager.Job, len(js))
	for _, j := range js {
		x.byID[j.ID], x.byUnit[j.Unit] = j, j
	}
}

func (x *jobIndex) add(j *manager.Job) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byID[j.ID], x.byUnit[j.Unit] = j, j
}

// addQueued adds the jobs a method just queued, ahead of the pump's JobNew.
// A job already done is left out: the pump may have removed it already, and
// the check under mu keeps a removal from being overtaken by this add.
func (x *jobIndex) addQueued(js []*manager.Job) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, j := range js {
		if !done(j) {
			x.byID[j.ID], x.byUnit[j.Unit] = j, j
		}
	}
}

// done reports whether j has finished.
func done(j *manager.Job) bool {
	select {
	case <-j.Done:
		return true
	default:
		return false
	}
}

func (x *jobIndex) remove(j *manager.Job) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.byID, j.ID)
	if x.byUnit[j.Unit] == j {
		delete(x.byUnit, j.Unit)
	}
	if len(x.byID) == 0 && len(x.byUnit) == 0 {
		// Maps keep the room of their largest size: after a mass start
		// that would be a thousand entries' worth, held while idle.
		x.byID, x.byUnit = map[uint32]*manager.Job{}, map[string]*manager.Job{}
	}
}

// forUnit returns unit's pending job, or nil.
func (x *jobIndex) forUnit(unit string) *manager.Job {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if j := x.byUnit[unit]; j != nil && !done(j) {
		return j
	}
	return nil
}

// get returns pending job id.
func (x *jobIndex) get(id uint32) (*manager.Job, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	j, ok := x.byID[id]
	if !ok || done(j) {
		return nil, false
	}
	return j, true
}

// list returns the pending jobs sorted by id.
func (x *jobIndex) list() []*manager.Job {
	x.mu.RLock()
	js := make([]*manager.Job, 0, len(x.byID))
	for _, j := range x.byID {
		if !done(j) {
			js = append(js, j)
		}
	}
	x.mu.RUnlock()
	sort.Slice(js, func(i, k int) bool { return js[i].ID < js[k].ID })
	return js
}

func (x *jobIndex) len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, j := range x.byID {
		if !done(j) {
			n++
		}
	}
	return n
}
