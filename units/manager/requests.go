package manager

import (
	"errors"
	"fmt"
	"slices"

	"svunit.dev/svunit/units"
)

// errShutdown refuses requests once Shutdown has begun.
var errShutdown = errors.New("the manager is shutting down")

// Boot starts the enabled units (those with [Install] WantedBy=) in start
// order, as Supervisor's autostart does. It returns the queued jobs.
func (m *Manager) Boot() []*Job {
	var us []*units.Unit
	for _, u := range m.Set().Units() {
		if u.Enabled() {
			us = append(us, u)
		}
	}
	return m.queue(us, JobStart)
}

// Start queues start jobs for the units names resolves to ("web",
// "@backend", "all", "web*"); they run in start-order layers, in parallel
// inside a layer. A unit whose Requires= failed in an earlier layer gets
// JobDependency. The error names an argument that matched nothing.
func (m *Manager) Start(names ...string) ([]*Job, error) { return m.request(names, JobStart) }

// Stop queues stop jobs, in reverse start order.
func (m *Manager) Stop(names ...string) ([]*Job, error) { return m.request(names, JobStop) }

// Restart queues restart jobs (stop if running, then start) in start order;
// each job's result is that of the start.
func (m *Manager) Restart(names ...string) ([]*Job, error) { return m.request(names, JobRestart) }

// ReloadOrRestart runs ExecReload= on running units that have it and
// restarts the others (starting those that do not run).
func (m *Manager) ReloadOrRestart(names ...string) ([]*Job, error) {
	return m.request(names, JobReloadOrRestart)
}

func (m *Manager) request(names []string, typ JobType) ([]*Job, error) {
	if typ != JobStop && m.shutting.Load() {
		return nil, errShutdown
	}
	us, err := m.resolve(names, false)
	if err != nil {
		return nil, err
	}
	return m.queue(us, typ), nil
}

// resolve turns arguments into units; empty names means all units only when
// emptyIsAll.
func (m *Manager) resolve(names []string, emptyIsAll bool) ([]*units.Unit, error) {
	set := m.Set()
	if len(names) == 0 {
		if emptyIsAll {
			return set.Units(), nil
		}
		return nil, fmt.Errorf("no unit named: give a unit, @group, pattern or all")
	}
	return set.Resolve(names)
}

// queue makes one job per unit now (so callers can wait on all of them) and
// feeds them to the units layer by layer.
func (m *Manager) queue(us []*units.Unit, typ JobType) []*Job {
	if len(us) == 0 {
		return nil
	}
	layers := m.Set().StartOrder(us)
	if typ == JobStop {
		slices.Reverse(layers)
	}
	names := make(map[string]bool, len(us))
	for _, u := range us {
		names[u.Name] = true
	}
	m.jobs.withdrawConflicting(names, typ)
	jobs := make([]*Job, 0, len(us))
	byUnit := make(map[string]*Job, len(us))
	for _, layer := range layers {
		for _, u := range layer {
			j := m.jobs.newJob(u.Name, typ, m.jobRemoved)
			m.hub.publish(Event{Type: JobNew, Unit: u.Name, Job: j})
			jobs = append(jobs, j)
			byUnit[u.Name] = j
		}
	}
	if len(layers) == 1 {
		m.runLayer(layers[0], byUnit, nil)
	} else {
		go m.runLayers(layers, byUnit)
	}
	return jobs
}

func (m *Manager) jobRemoved(j *Job) {
	m.hub.publish(Event{Type: JobRemoved, Unit: j.Unit, Job: j})
}

// runLayers hands each layer's jobs to the units once the previous layer's
// jobs have finished.
func (m *Manager) runLayers(layers [][]*units.Unit, jobs map[string]*Job) {
	failed := make(map[string]bool)
	for _, layer := range layers {
		for _, j := range m.runLayer(layer, jobs, failed) {
			if <-j.Done; j.Result != JobDone {
				failed[j.Unit] = true
			}
		}
	}
}

// runLayer posts the jobs of one layer and returns those it posted. A start
// whose Requires= failed in an earlier layer finishes as JobDependency; a
// job a later request withdrew (canceled) is not posted.
func (m *Manager) runLayer(layer []*units.Unit, jobs map[string]*Job, failed map[string]bool) []*Job {
	posted := make([]*Job, 0, len(layer))
	for _, u := range layer {
		j := jobs[u.Name]
		if dep := failedRequirement(u, failed); dep != "" && j.Type != JobStop {
			failed[u.Name] = true
			j.finish(JobDependency, fmt.Sprintf("%s, which it Requires=, failed to start", dep))
			continue
		}
		s := m.service(u.Name)
		if s == nil {
			j.finish(JobSkipped, removedReason)
			continue
		}
		if !j.hand() {
			if failed != nil {
				failed[u.Name] = true // withdrawn: its dependents get JobDependency
			}
			continue
		}
		switch j.Type {
		case JobStart:
			s.send(msgStart{j})
		case JobStop:
			s.send(msgStop{j})
		case JobReloadOrRestart:
			s.send(msgReload{j})
		default:
			s.send(msgRestart{j})
		}
		posted = append(posted, j)
	}
	return posted
}

func failedRequirement(u *units.Unit, failed map[string]bool) string {
	for _, r := range u.Requires {
		if failed[r] {
			return r
		}
	}
	return ""
}
