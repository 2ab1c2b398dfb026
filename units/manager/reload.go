package manager

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"svunit.dev/svunit/units"
)

// A ReloadReport says what Reload did, by unit name.
type ReloadReport struct {
	Added     []string // loaded, and started when enabled
	Removed   []string // stopped and unloaded
	Changed   []string // new definition; restarted when it was running
	Unchanged []string // left alone
	Jobs      []*Job   // the start and restart jobs Reload queued
	Errors    error    // problems in unit files (those units were skipped), or nil
}

// Reload re-reads the units and applies the difference, as Supervisor's
// update: added units load (and start when enabled), removed units stop and
// unload, changed units restart only if they were running, and untouched
// units are not touched. It also reopens the log files. A unit whose file
// became invalid is reported and keeps its old definition. Config.Settled
// is called once the jobs it queued are done.
func (m *Manager) Reload() (ReloadReport, error) {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	if m.shutting.Load() {
		return ReloadReport{}, errShutdown
	}
	if m.cfg.Units == nil {
		// An unreadable directory would look like one with no units, and
		// stop every program.
		if _, err := os.ReadDir(m.cfg.UnitDir); err != nil {
			return ReloadReport{}, fmt.Errorf("reload: cannot read the unit directory: %v; nothing was changed", err)
		}
	}
	set, loadErr := m.load()
	if set == nil {
		return ReloadReport{}, loadErr
	}
	set = m.keepBroken(set, loadErr)
	old := m.Set()
	rep := diffSets(old, set)
	rep.Errors = loadErr
	m.mu.Lock()
	m.set = set
	m.mu.Unlock()
	var gone []*service
	for _, name := range rep.Removed {
		if s := m.service(name); s != nil {
			gone = append(gone, s)
		}
	}
	m.remove(gone)
	rep.Jobs = m.apply(old, set, rep)
	_ = m.ReopenLogs()
	m.settleAfter(rep.Jobs)
	return rep, nil
}

// diffSets sorts the units of set into added, changed and unchanged, and
// those of old it lacks into removed.
func diffSets(old, set *units.Set) ReloadReport {
	var rep ReloadReport
	for _, u := range set.Units() {
		prev := old.Get(u.Name)
		switch {
		case prev == nil:
			rep.Added = append(rep.Added, u.Name)
		case prev.Equal(u):
			rep.Unchanged = append(rep.Unchanged, u.Name)
		default:
			rep.Changed = append(rep.Changed, u.Name)
		}
	}
	for _, u := range old.Units() {
		if set.Get(u.Name) == nil {
			rep.Removed = append(rep.Removed, u.Name)
		}
	}
	return rep
}

// apply loads the added units and hands the changed ones their new
// definition; it queues starts for added enabled units and restarts for
// changed units that were running.
func (m *Manager) apply(old, set *units.Set, rep ReloadReport) []*Job {
	var added, toStart, toRestart []*units.Unit
	for _, name := range rep.Added {
		u := set.Get(name)
		added = append(added, u)
		if u.Enabled() {
			toStart = append(toStart, u)
		}
	}
	m.addAll(added)
	for _, name := range rep.Changed {
		u, s := set.Get(name), m.service(name)
		if st := s.snap.Load().State; st == Running || st == Starting || st == Backoff {
			toRestart = append(toRestart, u)
		}
		var out *outputs
		if !sameOutput(old.Get(name), u) || s.out.Load().failed() {
			out = m.openOutputs(u)
		}
		s.send(msgReplace{u: u, out: out})
	}
	for _, name := range rep.Unchanged {
		s := m.service(name)
		if s == nil {
			continue
		}
		// The new definition replaces the old one even so, so that the
		// parsed unit is not kept twice (by the set and by the service)
		// and positions in messages follow the file. Output that could
		// not be opened is tried again (the directory may exist now).
		r := msgReplace{u: set.Get(name), same: true}
		if s.out.Load().failed() {
			if out := m.openOutputs(r.u); out.err == nil {
				r.out = out
			}
		}
		s.send(r)
	}
	return append(m.queue(toStart, JobStart), m.queue(toRestart, JobRestart)...)
}

// keepBroken adds back the old definition of units whose file is now
// invalid, so that a typo in a unit file does not stop a running program.
func (m *Manager) keepBroken(set *units.Set, loadErr error) *units.Set {
	var el units.ErrorList
	if !errors.As(loadErr, &el) {
		return set
	}
	us := set.Units()
	for _, u := range m.Set().Units() {
		if set.Get(u.Name) == nil && slices.ContainsFunc(el, func(e *units.Error) bool { return u.Owns(e.File) }) {
			us = append(us, u) // its unit file or one of its drop-ins is broken
		}
	}
	if len(us) == len(set.Units()) {
		return set
	}
	kept, err := units.NewSet(us)
	if kept == nil {
		m.logf("reload: %v", fmt.Errorf("keeping old definitions: %w", err))
		return set
	}
	return kept
}

// sameOutput reports whether a and b capture output the same way.
func sameOutput(a, b *units.Unit) bool {
	x, y := &a.Service, &b.Service
	return x.StandardOutput == y.StandardOutput && x.StandardError == y.StandardError &&
		x.SyslogIdentifier == y.SyslogIdentifier && x.SyslogFacility == y.SyslogFacility &&
		x.SyslogLevel == y.SyslogLevel && x.SyslogErrorLevel == y.SyslogErrorLevel &&
		x.LogMaxBytes == y.LogMaxBytes && x.LogBackups == y.LogBackups && x.LogOverflow == y.LogOverflow
}
