package units

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"svunit.dev/svunit/journal"
)

// A Set is a collection of units checked against each other: unique names,
// no two units writing to one log file, Requires= satisfied, no dependency
// cycle. It is immutable and safe for concurrent use.
type Set struct {
	units  []*Unit            // sorted by name
	byName map[string]*Unit   // by Name
	groups map[string][]*Unit // group name (no '@') → members sorted by name
}

// NewSet checks us against each other. Units involved in a cross-unit
// problem are left out of the Set and reported in the error, an ErrorList;
// the Set holds the rest. Like LoadDir, both results may be non-nil.
func NewSet(us []*Unit) (*Set, error) {
	var errs ErrorList
	bad := map[*Unit]bool{}
	checkNames(us, &errs, bad)
	checkLogFiles(us, &errs, bad)
	for {
		n := len(bad)
		good := without(us, bad)
		checkRequires(good, &errs, bad)
		if len(bad) == n {
			checkCycles(good, &errs, bad)
		}
		if len(bad) == n {
			break
		}
	}
	s := &Set{byName: map[string]*Unit{}, groups: map[string][]*Unit{}}
	s.units = without(us, bad)
	sort.Slice(s.units, func(i, j int) bool { return s.units[i].Name < s.units[j].Name })
	for _, u := range s.units {
		s.byName[u.Name] = u
		for _, g := range u.Groups {
			if m := s.groups[g]; len(m) == 0 || m[len(m)-1] != u { // Groups=a a
				s.groups[g] = append(m, u)
			}
		}
	}
	return s, errs.Err()
}

func without(us []*Unit, bad map[*Unit]bool) []*Unit {
	var out []*Unit
	for _, u := range us {
		if !bad[u] {
			out = append(out, u)
		}
	}
	return out
}

// baseName strips the suffix: web.unit and web.service both name "web".
func baseName(name string) string {
	return strings.TrimSuffix(strings.TrimSuffix(name, ".unit"), ".service")
}

// checkNames refuses two units with one name, including web.unit beside
// web.service, which would make "web" ambiguous.
func checkNames(us []*Unit, errs *ErrorList, bad map[*Unit]bool) {
	first := map[string]*Unit{}
	for _, u := range us {
		f, dup := first[baseName(u.Name)]
		if !dup {
			first[baseName(u.Name)] = u
			continue
		}
		bad[u], bad[f] = true, true
		errs.Addf(u.Path, 0, "", "", "unit %s is defined twice: here and in %s (remove or rename one)", u.Name, f.Path)
		errs.Addf(f.Path, 0, "", "", "unit %s is defined twice: here and in %s (remove or rename one)", f.Name, u.Path)
	}
}

// checkLogFiles refuses two units writing to one file (Supervisor's rule:
// shared rotation loses lines). One unit may send stdout and stderr to the
// same file.
func checkLogFiles(us []*Unit, errs *ErrorList, bad map[*Unit]bool) {
	type writer struct {
		u         *Unit
		directive string
	}
	owner := map[string]writer{}
	reported := map[string]bool{} // FILE:LINE:PATH already reported
	for _, u := range us {
		for _, d := range []string{"StandardOutput", "StandardError"} {
			v := u.Service.StandardOutput
			if d == "StandardError" {
				v = u.Service.StandardError
			}
			t, err := journal.ParseTarget(v)
			if err != nil || t.Path == "" {
				continue
			}
			p := filepath.Clean(t.Path)
			w, taken := owner[p]
			if !taken {
				owner[p] = writer{u, d}
				continue
			}
			if w.u == u {
				continue
			}
			bad[u], bad[w.u] = true, true
			file, line := u.Where("Service." + d)
			wfile, wline := w.u.Where("Service." + w.directive)
			// Each line that names the path is reported once: the
			// instances of one template share theirs.
			for _, e := range []struct {
				file      string
				line      int
				directive string
				a, b      string
				ofile     string
				oline     int
			}{{file, line, d, u.Name, w.u.Name, wfile, wline}, {wfile, wline, w.directive, w.u.Name, u.Name, file, line}} {
				key := fmt.Sprintf("%s:%d:%s", e.file, e.line, p)
				if reported[key] {
					continue
				}
				reported[key] = true
				errs.Addf(e.file, e.line, "Service", e.directive, "%s and %s both write to %s (%s:%d); two units may not share a log file: give each its own (in a template, put %%i in the path)", e.a, e.b, p, e.ofile, e.oline)
			}
		}
	}
}

// checkRequires refuses a unit that Requires= a svunit unit that is not in
// the set (systemd targets are ignored).
func checkRequires(us []*Unit, errs *ErrorList, bad map[*Unit]bool) {
	s := &Set{byName: map[string]*Unit{}}
	for _, u := range us {
		s.byName[u.Name] = u
	}
	for _, u := range us {
		for _, r := range u.Requires {
			if svunitName(r) && s.Get(r) == nil {
				bad[u] = true
				file, line := u.Where("Unit.Requires")
				errs.Addf(file, line, "Unit", "Requires", "%s requires %s, which is not loaded (add %s, fix its errors, or use Wants=)", u.Name, r, r)
			}
		}
	}
}

// Units returns the units sorted by name.
func (s *Set) Units() []*Unit { return append([]*Unit(nil), s.units...) }

// Get returns the unit called name: "web.unit", "web" (web.unit or
// web.service), or "web.service" for a web.unit. systemctl appends
// ".service" to names it does not know, so "web.unit.service" is web.unit.
// It returns nil when there is none.
func (s *Set) Get(name string) *Unit {
	if u := s.byName[name]; u != nil {
		return u
	}
	if rest, ok := strings.CutSuffix(name, ".service"); ok && s.byName[rest] != nil {
		return s.byName[rest]
	}
	base := baseName(name)
	if u := s.byName[base+".unit"]; u != nil {
		return u
	}
	return s.byName[base+".service"]
}

// Groups returns each group (name without '@') with its members sorted by
// name. The map is a copy; the units are shared.
func (s *Set) Groups() map[string][]*Unit {
	m := make(map[string][]*Unit, len(s.groups))
	for g, us := range s.groups {
		m[g] = append([]*Unit(nil), us...)
	}
	return m
}

// A NotFoundError says which command-line argument matched no unit.
type NotFoundError struct {
	Arg  string
	Near string // the nearest unit or group name, when one is close: "web", "@backend"
}

func (e *NotFoundError) Error() string {
	hint := ""
	if e.Near != "" {
		hint = fmt.Sprintf("; did you mean %s?", e.Near)
	}
	if strings.HasPrefix(e.Arg, "@") {
		return fmt.Sprintf("no group %s%s (a unit joins a group with [Unit] Groups=%s)", e.Arg, hint, e.Arg[1:])
	}
	return fmt.Sprintf("no unit matches %q%s", e.Arg, hint)
}

// notFound builds the error for arg with the nearest name as a hint.
func (s *Set) notFound(arg string) *NotFoundError {
	var names []string
	if strings.HasPrefix(arg, "@") {
		for g := range s.groups {
			names = append(names, "@"+g)
		}
	} else {
		for _, u := range s.units {
			names = append(names, baseName(u.Name))
		}
	}
	if strings.ContainsAny(arg, "*?[") {
		return &NotFoundError{Arg: arg} // a pattern is not a misspelt name
	}
	return &NotFoundError{Arg: arg, Near: nearest(baseName(arg), names)}
}

// Resolve turns command-line arguments into units: a name ("web.unit",
// "web", "web.service"), a group "@backend", "all", or a glob such as
// "web*" or "worker@*" matched against names with and without suffix. The
// result is sorted by name without repeats. An argument that matches
// nothing is a *NotFoundError naming it.
func (s *Set) Resolve(args []string) ([]*Unit, error) {
	seen := map[*Unit]bool{}
	for _, a := range args {
		var matched []*Unit
		switch {
		case a == "all":
			matched = s.units
		case strings.HasPrefix(a, "@"):
			matched = s.groups[a[1:]]
		case strings.ContainsAny(a, "*?["):
			for _, u := range s.units {
				ok1, err := path.Match(a, u.Name)
				if err != nil {
					return nil, fmt.Errorf("bad pattern %q: %v", a, err)
				}
				ok2, _ := path.Match(a, baseName(u.Name))
				if ok1 || ok2 {
					matched = append(matched, u)
				}
			}
		default:
			if u := s.Get(a); u != nil {
				matched = []*Unit{u}
			}
		}
		if len(matched) == 0 && a != "all" {
			return nil, s.notFound(a)
		}
		for _, u := range matched {
			seen[u] = true
		}
	}
	var out []*Unit
	for _, u := range s.units {
		if seen[u] {
			out = append(out, u)
		}
	}
	return out, nil
}

// RequiredBy returns the units that stopping us stops too, as systemd
// does: those whose Requires= names one of us, and those that require them
// in turn; us are left out.
func (s *Set) RequiredBy(us []*Unit) []*Unit {
	in := make(map[string]bool, len(us))
	for _, u := range us {
		in[u.Name] = true
	}
	var pulled []*Unit
	for grew := true; grew; {
		grew = false
		for _, u := range s.Units() {
			if in[u.Name] {
				continue
			}
			for _, name := range u.Requires {
				if d := s.Get(name); d != nil && in[d.Name] {
					in[u.Name], grew = true, true
					pulled = append(pulled, u)
					break
				}
			}
		}
	}
	return pulled
}
