package manager

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"svunit.dev/svunit/units"
)

// errShutdown refuses requests once Shutdown has begun.
var errShutdown = errors.New("the manager is shutting down")

// Boot starts the enabled units (those with [Install] WantedBy=) in start
// order, as Supervisor's autostart does. It returns the queued jobs, and
// calls Config.Settled once they are done.
func (m *Manager) Boot() []*Job {
	var us []*units.Unit
	for _, u := range m.Set().Units() {
		if u.Enabled() {
			us = append(us, u)
		}
	}
	jobs := m.queue(us, JobStart)
	m.settleAfter(jobs)
	return jobs
}

// Start queues start jobs for the units names resolves to ("web",
// "@backend", "all", "web*") and for the units they pull in with Requires=
// and Wants=; they run in start-order layers, in parallel inside a layer.
// A unit whose Requires= failed in an earlier layer gets JobDependency.
// The jobs of the named units come first in the result. The error names
// an argument that matched nothing.
func (m *Manager) Start(names ...string) ([]*Job, error) { return m.request(names, JobStart) }

// Stop queues stop jobs, in reverse start order, for the units names
// resolves to and for the units that require them (Requires=, in turn), as
// systemd stops them: a unit never runs without what it requires.
func (m *Manager) Stop(names ...string) ([]*Job, error) { return m.request(names, JobStop) }

// Restart queues restart jobs (stop if running, then start) in start order,
// and start jobs for the units they pull in (Requires=, Wants=); each
// restart job's result is that of the start.
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
// feeds them to the units layer by layer. A start or restart also starts
// the units that us pull in with Requires= and Wants= (see pullIn). The
// jobs of us come first in the result, in start order, then those of the
// units pulled in: a caller that asked for one unit finds its job first.
func (m *Manager) queue(us []*units.Unit, typ JobType) []*Job {
	if len(us) == 0 {
		return nil
	}
	set := m.Set()
	var pulled []*units.Unit
	switch typ {
	case JobStart, JobRestart:
		pulled = pullIn(set, us)
	case JobStop:
		pulled = set.RequiredBy(us)
	}
	all := append(slices.Clip(us), pulled...)
	layers := set.StartOrder(all)
	if typ == JobStop {
		slices.Reverse(layers)
	}
	names := make(map[string]bool, len(all))
	for _, u := range all {
		names[u.Name] = true
	}
	isPulled := make(map[string]bool, len(pulled))
	for _, u := range pulled {
		isPulled[u.Name] = true
	}
	m.postMu.Lock()
	m.jobs.withdrawConflicting(names, typ)
	m.postMu.Unlock()
	jobs := make([]*Job, 0, len(all))
	var pulledJobs []*Job
	byUnit := make(map[string]*Job, len(all))
	paced := false
	for _, layer := range layers {
		for _, u := range layer {
			t := typ
			if isPulled[u.Name] && typ != JobStop {
				t = JobStart // restarting web starts the api it wants, never restarts it
			}
			j := m.jobs.newJob(u.Name, t, m.jobRemoved)
			m.hub.publish(Event{Type: JobNew, Unit: u.Name, Job: j})
			if isPulled[u.Name] {
				pulledJobs = append(pulledJobs, j)
			} else {
				jobs = append(jobs, j)
			}
			byUnit[u.Name] = j
			paced = paced || t == JobStart
		}
	}
	jobs = append(jobs, pulledJobs...)
	if len(layers) == 1 && (!paced || len(layers[0]) <= postWindow()) {
		m.runLayer(layers[0], byUnit, nil) // never waits for the window, so the jobs are posted on return
	} else {
		go m.runLayers(layers, byUnit)
	}
	return jobs
}

// postWindow is how many start jobs of one request may be posted to units
// that have not handled them yet. Posting a layer of 1000 starts at once
// makes 1000 unit goroutines runnable together, and every other goroutine
// (an API call read from the bus) waits behind them in Go's run queue for
// as long as the whole start takes. Paced, the run queue stays short, and
// one P is left for the rest of the program: the thread that forks holds
// its P until the child has exec'd (vfork), and forks are serialized by
// syscall.ForkLock anyway, so more starts in flight do not make a mass
// start faster. A unit acknowledges its job once it has forked, not once it
// is RUNNING, so StartSecs= still elapse in parallel. Measured with
// BenchmarkAPILatencyStart1000 on 2 CPUs: a window of 1 keeps the p99 of
// an API call near 1 ms, 2 lets it reach 20-60 ms. Only start jobs are
// paced: a stop forks nothing, and the stops of a layer are cheapest
// together, sharing their readings of /proc (see procs).
func postWindow() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// pullIn returns the units that starting us starts too, as systemd does:
// those named in Requires= and Wants=, and theirs in turn, leaving out us
// and names that are not loaded (Wants=network.target).
func pullIn(set *units.Set, us []*units.Unit) []*units.Unit {
	in := make(map[string]bool, len(us))
	for _, u := range us {
		in[u.Name] = true
	}
	var pulled []*units.Unit
	todo := slices.Clone(us)
	for len(todo) > 0 {
		u := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, list := range [][]string{u.Requires, u.Wants} {
			for _, name := range list {
				if d := set.Get(name); d != nil && !in[d.Name] {
					in[d.Name] = true
					pulled = append(pulled, d)
					todo = append(todo, d)
				}
			}
		}
	}
	return pulled
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
	window := make(chan struct{}, postWindow())
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
		if j.Type == JobStart {
			window <- struct{}{}
			j.ack = &postAck{window: window}
		}
		if !m.hand(s, j) {
			j.ack.done()
			if failed != nil {
				failed[u.Name] = true // withdrawn: its dependents get JobDependency
			}
			continue
		}
		posted = append(posted, j)
	}
	return posted
}

// hand posts j to its unit unless a later request withdrew it. Under
// postMu, so that a request that finds j handed (and cannot withdraw it)
// posts its own job after j's.
func (m *Manager) hand(s *service, j *Job) bool {
	m.postMu.Lock()
	defer m.postMu.Unlock()
	if !j.hand() {
		return false
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
	return true
}

// postAck returns a request's window slot once the unit has handled the
// job's message (or answered it for a removed unit); done may be called
// more than once, and on a nil postAck.
type postAck struct {
	once   sync.Once
	window chan struct{}
}

func (a *postAck) done() {
	if a != nil {
		a.once.Do(func() { <-a.window })
	}
}

// jobOf returns the job a message carries, or nil.
func jobOf(msg any) *Job {
	switch msg := msg.(type) {
	case msgStart:
		return msg.job
	case msgStop:
		return msg.job
	case msgRestart:
		return msg.job
	case msgReload:
		return msg.job
	}
	return nil
}

func failedRequirement(u *units.Unit, failed map[string]bool) string {
	for _, r := range u.Requires {
		if failed[r] {
			return r
		}
	}
	return ""
}
