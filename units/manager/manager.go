package manager

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"

	"svunit.dev/svunit/journal"
	"svunit.dev/svunit/units"
)

// Config says where a Manager finds its units and puts their output.
type Config struct {
	// UnitDir is the unit directory, loaded with units.LoadDir. Units, when
	// non-nil, is used instead (for embedders and tests).
	UnitDir string
	Units   []*units.Unit

	// Load, if set, loads UnitDir instead of units.LoadDir: the root
	// manager passes bus/policy.LoadDir, which refuses files that anyone
	// but root could change.
	Load func(dir string) (*units.Set, error)

	// LogDir is where default log files go; "" sends all output to
	// /dev/null (no journal.Output is opened).
	LogDir string

	// Logf reports what the manager does on its own (spawn errors, bad
	// units, FATAL); nil discards it.
	Logf func(format string, args ...any)

	// NoCgroups makes KillMode=control-group use the process group and
	// /proc even where the manager could create cgroups (tests of that
	// path, or a hierarchy the manager should not write to).
	NoCgroups bool

	// Settled, if set, is called (on a goroutine of its own) once the jobs
	// queued by Boot or by a Reload have all finished: the daemon returns
	// the memory the work used to the OS there.
	Settled func()
}

// A Manager supervises the units of one directory. Its methods may be
// called from any goroutine.
type Manager struct {
	// Set by New, read-only afterwards.
	cfg    Config
	reaper *reaper   // the process's only waiter for children
	notify *notifier // NOTIFY_SOCKET for Type=notify units
	cg     *cgroups  // nil: no cgroup v2 subtree, KillMode=control-group uses /proc

	hub  hub            // event fan-out; has its own lock
	jobs jobTable       // unfinished jobs; has its own lock
	wg   sync.WaitGroup // service goroutines (each runs while its unit has messages)

	shutting atomic.Bool // Shutdown began: no automatic restarts, no new starts

	mu   sync.RWMutex
	set  *units.Set          // guarded by mu
	svcs map[string]*service // guarded by mu; by unit name

	reloadMu sync.Mutex // serializes Reload and Shutdown

	// postMu is held while a job is handed to its unit and while a new
	// request withdraws the waiting jobs it replaces, so that a job found
	// already handed was posted before the new request posts its own.
	postMu sync.Mutex
}

// New loads the units and makes a Manager with every good unit stopped.
// Bad units are reported through Logf (every error, with file and line)
// and skipped; the error is non-nil only when nothing could be set up.
func New(cfg Config) (*Manager, error) {
	m := &Manager{cfg: cfg, reaper: getReaper(), svcs: make(map[string]*service)}
	set, err := m.load()
	if set == nil {
		return nil, err
	}
	n, err := newNotifier(m)
	if err != nil {
		return nil, fmt.Errorf("notify socket: %v", err)
	}
	m.notify = n
	if !cfg.NoCgroups {
		if m.cg, err = openCgroups(); err != nil {
			hint := ""
			if errors.Is(err, fs.ErrPermission) {
				hint = "; to have them, run the manager in a cgroup delegated to its user (systemd-run --user -p Delegate=yes svunit daemon, or Delegate=yes in the unit that starts it)"
			}
			m.logf("units run in process groups, not in cgroups of their own (%v): KillMode=control-group reaches a unit's process group and the descendants /proc shows%s", err, hint)
		}
	}
	m.set = set
	m.addAll(slices.Concat(set.StartOrder(set.Units())...)) // outputs open in the order a boot starts units
	return m, nil
}

// load reads the configured units. Errors in single units are logged; the
// set holds the good ones.
func (m *Manager) load() (*units.Set, error) {
	var set *units.Set
	var err error
	if m.cfg.Units != nil {
		set, err = units.NewSet(m.cfg.Units)
	} else {
		load := units.LoadDir
		if m.cfg.Load != nil {
			load = m.cfg.Load
		}
		set, err = load(m.cfg.UnitDir)
	}
	var el units.ErrorList
	if errors.As(err, &el) {
		for _, e := range el {
			m.logf("%v (unit skipped)", e)
		}
	} else if err != nil {
		m.logf("%v", err)
	}
	return set, err
}

// addAll makes the runtime of each of us with its outputs open. A unit
// whose output cannot be opened is still loaded, with its output sent to
// /dev/null and the reason in its snapshot's Logs.Error.
func (m *Manager) addAll(us []*units.Unit) {
	for _, u := range us {
		m.add(u, m.openOutputs(u))
	}
}

// add makes the runtime of u with outputs out.
func (m *Manager) add(u *units.Unit, out *outputs) *service {
	s := newService(m, u, out)

	m.mu.Lock()
	m.svcs[u.Name] = s
	m.mu.Unlock()
	m.hub.publish(Event{Type: UnitNew, Unit: u.Name, New: s.snap.Load()})
	return s
}

// openOutputs opens u's output capture. When that fails the unit still
// loads, with its output sent to /dev/null, and the reason is logged.
func (m *Manager) openOutputs(u *units.Unit) *outputs {
	out, err := openOutputs(u, m.cfg.LogDir)
	if err != nil {
		m.logf("%s: output: %v (output goes to /dev/null until it is fixed and reloaded)", u.Name, err)
		return &outputs{err: err}
	}
	return out
}

func (m *Manager) logf(format string, args ...any) {
	if m.cfg.Logf != nil {
		m.cfg.Logf(format, args...)
	}
}

// Set returns the loaded unit set.
func (m *Manager) Set() *units.Set {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.set
}

// Units returns a snapshot of every unit, sorted by name.
func (m *Manager) Units() []Snapshot {
	m.mu.RLock()
	out := make([]Snapshot, 0, len(m.svcs))
	for _, s := range m.svcs {
		out = append(out, *s.snap.Load())
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Unit.Name < out[j].Unit.Name })
	return out
}

// Unit returns the snapshot of the unit called name ("web", "web.unit" or
// "web.service").
func (m *Manager) Unit(name string) (Snapshot, bool) {
	s := m.service(name)
	if s == nil {
		return Snapshot{}, false
	}
	return *s.snap.Load(), true
}

// LogStatus returns the live state of a unit's output sinks.
func (m *Manager) LogStatus(name string) (journal.Status, bool) {
	s := m.service(name)
	if s == nil {
		return journal.Status{}, false
	}
	return s.out.Load().status(), true
}

// ReopenLogs reopens every unit's log files (after logrotate moved them).
func (m *Manager) ReopenLogs() error {
	var errs []error
	for _, s := range m.services() {
		if err := s.out.Load().reopen(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", s.name, err))
		}
	}
	return errors.Join(errs...)
}

// service finds a unit's runtime by exact name, then through the set
// (which accepts "web" for "web.unit").
func (m *Manager) service(name string) *service {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if s := m.svcs[name]; s != nil {
		return s
	}
	if u := m.set.Get(name); u != nil {
		return m.svcs[u.Name]
	}
	return nil
}

func (m *Manager) services() []*service {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*service, 0, len(m.svcs))
	for _, s := range m.svcs {
		out = append(out, s)
	}
	return out
}

// settleAfter calls Config.Settled once jobs have finished.
func (m *Manager) settleAfter(jobs []*Job) {
	if m.cfg.Settled == nil {
		return
	}
	go func() {
		for _, j := range jobs {
			<-j.Done
		}
		m.cfg.Settled()
	}()
}

// Jobs returns the jobs that have not finished, by ID.
func (m *Manager) Jobs() []*Job {
	js := m.jobs.list()
	sort.Slice(js, func(i, j int) bool { return js[i].ID < js[j].ID })
	return js
}

// Subscribe returns a subscription to the manager's events.
func (m *Manager) Subscribe() *Subscription { return m.hub.subscribe() }

// Kill sends sig to the main process (who "main"), the running
// ExecStartPre/Post/Stop/Reload= process ("control") or every process
// ("all") of the unit called name, as systemd's KillUnit.
func (m *Manager) Kill(name, who string, sig syscall.Signal) error {
	s := m.service(name)
	if s == nil {
		return &units.NotFoundError{Arg: name}
	}
	reply := make(chan error, 1)
	s.send(msgKill{who: who, sig: sig, reply: reply})
	select {
	case err := <-reply:
		return err
	case <-s.done: // removed meanwhile
		return fmt.Errorf("%s: %w", s.name, errNoProcess)
	}
}

// ResetFailed clears FATAL, failed results and restart counters of the
// named units (all units when names is empty).
func (m *Manager) ResetFailed(names ...string) error {
	us, err := m.resolve(names, true)
	if err != nil {
		return err
	}
	for _, u := range us {
		if s := m.service(u.Name); s != nil {
			s.send(msgResetFailed{})
		}
	}
	return nil
}

// Shutdown stops every unit in reverse start order, in parallel inside each
// layer, and waits for them to exit. When ctx ends first, whatever still
// runs gets SIGKILL and Shutdown returns ctx's error after reaping it.
// The Manager cannot be used afterwards.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	m.shutting.Store(true)
	jobs, _ := m.Stop("all")
	done := make(chan struct{})
	go func() {
		for _, j := range jobs {
			<-j.Done
		}
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("shutdown: %w; killing what is left", ctx.Err())
		for _, s := range m.services() {
			s.send(msgKill{who: "all", sig: syscall.SIGKILL, reply: make(chan error, 1)})
		}
		<-done
	}
	m.remove(m.services())
	m.notify.close()
	m.cg.close()
	m.hub.closeAll(errors.New("manager: shut down"))
	m.wg.Wait()
	return err
}

// remove ends the goroutines of ss (stopping the units first, all at
// once) and closes their outputs.
func (m *Manager) remove(ss []*service) {
	dones := make([]chan struct{}, len(ss))
	for i, s := range ss {
		dones[i] = make(chan struct{})
		s.send(msgRemove{done: dones[i]})
	}
	var closing sync.WaitGroup // outputs drain in parallel: one may wait for a leftover writer
	for i, s := range ss {
		<-dones[i]
		m.mu.Lock()
		if m.svcs[s.name] == s {
			delete(m.svcs, s.name)
		}
		m.mu.Unlock()
		closing.Go(s.out.Load().close)
		m.cg.removeUnit(s.name)
		m.hub.publish(Event{Type: UnitRemoved, Unit: s.name, Old: s.snap.Load()})
	}
	closing.Wait()
}

// notified routes an sd_notify message to the unit whose process sent it:
// the main process, or a descendant of it.
func (m *Manager) notified(pid int, fields map[string]string) {
	for p, hops := pid, 0; p > 1 && hops < 64; p, hops = ppidOf(p), hops+1 {
		if s, ok := m.reaper.owner(p).(*service); ok && s.m == m {
			s.send(msgNotify{pid: pid, fields: fields})
			return
		}
	}
}
