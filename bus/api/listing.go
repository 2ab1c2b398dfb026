package api

import (
	"path"

	"svunit.dev/svunit/units/manager"
)

// entryOf is s as one ListUnits entry; job is the unit's pending job or nil.
func entryOf(s *manager.Snapshot, job *manager.Job) unitEntry {
	e := unitEntry{Name: s.Unit.Name, Description: s.Description, LoadState: s.LoadState,
		ActiveState: s.ActiveState, SubState: s.SubState, Path: UnitPath(s.Unit.Name), JobPath: "/"}
	if e.Description == "" {
		e.Description = s.Unit.Description
	}
	if job != nil {
		e.JobID, e.JobType, e.JobPath = job.ID, systemdJobType(job.Type), JobPath(job.ID)
	}
	return e
}

// listUnits serves ListUnits, ListUnitsFiltered (states) and
// ListUnitsByPatterns (states, patterns). A state matches a unit's load,
// active or sub state; a pattern is a shell glob on the unit's name, as in
// systemd.
func listUnits(c *call) ([]any, error) {
	var states, patterns []string
	if len(c.args) > 0 {
		states = c.strs(0)
	}
	if len(c.args) > 1 {
		patterns = c.strs(1)
	}
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, busError(ErrInvalidArgs, "Bad pattern %q: %v.", p, err)
		}
	}
	out := []unitEntry{}
	for _, s := range c.a.m.Units() {
		if s.Unit == nil || !matchState(&s, states) || !matchName(s.Unit.Name, patterns) {
			continue
		}
		out = append(out, entryOf(&s, c.a.jobs.forUnit(s.Unit.Name)))
	}
	return []any{out}, nil
}

func matchState(s *manager.Snapshot, states []string) bool {
	if len(states) == 0 {
		return true
	}
	for _, st := range states {
		if st == s.LoadState || st == s.ActiveState || st == s.SubState {
			return true
		}
	}
	return false
}

// matchName matches name, and the name systemctl would use for it
// (NAME.service), against shell patterns.
func matchName(name string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
		if ok, _ := path.Match(p, name+".service"); ok {
			return true
		}
	}
	return false
}

// listUnitsByNames returns one entry per name, not-found ones included, as
// systemd does.
func listUnitsByNames(c *call) ([]any, error) {
	out := []unitEntry{}
	for _, n := range c.strs(0) {
		s, ok := c.a.resolve(n)
		if !ok || s.Unit == nil {
			out = append(out, unitEntry{Name: n, LoadState: "not-found", ActiveState: "inactive",
				SubState: "dead", Path: UnitPath(n), JobPath: "/"})
			continue
		}
		out = append(out, entryOf(&s, c.a.jobs.forUnit(s.Unit.Name)))
	}
	return []any{out}, nil
}

func listJobs(c *call) ([]any, error) {
	out := []jobEntry{}
	for _, j := range c.a.jobs.list() {
		out = append(out, jobEntry{ID: j.ID, Unit: j.Unit, Type: systemdJobType(j.Type), State: "running",
			JobPath: JobPath(j.ID), UnitPath: UnitPath(j.Unit)})
	}
	return []any{out}, nil
}

// listUnitFiles lists each unit's file with "enabled" (it has WantedBy=)
// or "disabled".
func listUnitFiles(c *call) ([]any, error) {
	var states, patterns []string
	if len(c.args) == 2 {
		states, patterns = c.strs(0), c.strs(1)
	}
	out := []strPair{}
	seen := map[string]bool{}
	for _, s := range c.a.m.Units() {
		if s.Unit == nil || s.Unit.Path == "" || seen[s.Unit.Path] {
			continue
		}
		st := fileState(&s)
		if !matchName(path.Base(s.Unit.Path), patterns) || !contains(states, st) {
			continue
		}
		seen[s.Unit.Path] = true
		out = append(out, strPair{s.Unit.Path, st})
	}
	return []any{out}, nil
}

func fileState(s *manager.Snapshot) string {
	if s.Unit.Enabled() {
		return "enabled"
	}
	return "disabled"
}

// contains reports whether list is empty or holds s.
func contains(list []string, s string) bool {
	if len(list) == 0 {
		return true
	}
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func getUnitFileState(c *call) ([]any, error) {
	s, ok := c.a.resolve(path.Base(c.str(0)))
	if !ok || s.Unit == nil {
		return nil, noSuchUnit(c.str(0))
	}
	return []any{fileState(&s)}, nil
}
