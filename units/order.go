package units

import (
	"reflect"
	"sort"
	"strings"
)

// preds returns, for each unit of us, the units of us that must start
// before it: those it names in After=, Requires= or Wants=, and those that
// name it in Before=. Names outside us are ignored.
func preds(us []*Unit) map[*Unit][]*Unit {
	s := &Set{byName: map[string]*Unit{}}
	for _, u := range us {
		s.byName[u.Name] = u
	}
	p := map[*Unit][]*Unit{}
	add := func(after, before *Unit) {
		if after == nil || before == nil {
			return
		}
		for _, x := range p[after] {
			if x == before {
				return
			}
		}
		p[after] = append(p[after], before)
	}
	for _, u := range us {
		for _, list := range [][]string{u.After, u.Requires, u.Wants} {
			for _, name := range list {
				add(u, s.Get(name))
			}
		}
		for _, name := range u.Before {
			add(s.Get(name), u)
		}
	}
	return p
}

// StartOrder arranges us in layers that may start in parallel: a unit
// comes after every unit of us it depends on (After=, Before=, Requires=,
// Wants=); among the units whose dependencies are met, only those with the
// lowest Priority form the next layer; each layer is sorted by name. Stop
// in the reverse order of the layers. Dependencies on units outside us are
// ignored; a cycle (which NewSet refuses) is broken by priority and name.
func (s *Set) StartOrder(us []*Unit) [][]*Unit {
	p := preds(us)
	placed := map[*Unit]bool{}
	var layers [][]*Unit
	rest := append([]*Unit(nil), us...)
	sort.Slice(rest, func(i, j int) bool { return less(rest[i], rest[j]) })
	for len(rest) > 0 {
		var ready []*Unit
		for _, u := range rest {
			if allPlaced(p[u], placed) && (len(ready) == 0 || ready[0].Service.Priority == u.Service.Priority) {
				ready = append(ready, u)
			}
		}
		if len(ready) == 0 {
			ready = rest[:1] // a cycle: break it at the first unit
		}
		for _, u := range ready {
			placed[u] = true
		}
		layers = append(layers, ready)
		rest = without(rest, placed)
	}
	return layers
}

// less orders by Priority, then name.
func less(a, b *Unit) bool {
	if a.Service.Priority != b.Service.Priority {
		return a.Service.Priority < b.Service.Priority
	}
	return a.Name < b.Name
}

func allPlaced(us []*Unit, placed map[*Unit]bool) bool {
	for _, u := range us {
		if !placed[u] {
			return false
		}
	}
	return true
}

// checkCycles refuses every unit on a dependency cycle, naming the cycle.
func checkCycles(us []*Unit, errs *ErrorList, bad map[*Unit]bool) {
	p := preds(us)
	sorted := unordered(us, p)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, u := range sorted {
		if bad[u] {
			continue
		}
		cycle := findCycle(u, p)
		if cycle == nil {
			continue
		}
		names := make([]string, len(cycle))
		for i, c := range cycle {
			names[i] = c.Name
			bad[c] = true
		}
		names = append(names, u.Name)
		file, line := u.Where("Unit." + depDirective(u))
		errs.Addf(file, line, "Unit", depDirective(u), "dependency cycle: %s, where A → B means A starts after B (remove one of these After=, Before=, Requires= or Wants=)", strings.Join(names, " → "))
	}
}

// unordered returns the units that no topological order reaches: those on
// a cycle and those after one. It is linear, so the search for the cycle
// itself runs only when there is one.
func unordered(us []*Unit, p map[*Unit][]*Unit) []*Unit {
	succs := map[*Unit][]*Unit{}
	waiting := map[*Unit]int{}
	var ready []*Unit
	for _, u := range us {
		waiting[u] = len(p[u])
		if waiting[u] == 0 {
			ready = append(ready, u)
		}
		for _, v := range p[u] {
			succs[v] = append(succs[v], u)
		}
	}
	for len(ready) > 0 {
		u := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		delete(waiting, u)
		for _, v := range succs[u] {
			if waiting[v]--; waiting[v] == 0 {
				ready = append(ready, v)
			}
		}
	}
	var out []*Unit
	for _, u := range us {
		if _, left := waiting[u]; left {
			out = append(out, u)
		}
	}
	return out
}

// findCycle returns the shortest path start → … → start along start-before
// edges (each unit followed by one it must start after), or nil.
func findCycle(start *Unit, p map[*Unit][]*Unit) []*Unit {
	prev := map[*Unit]*Unit{}
	queue := []*Unit{start}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range p[u] {
			if v == start {
				var path []*Unit
				for w := u; w != start; w = prev[w] {
					path = append([]*Unit{w}, path...)
				}
				return append([]*Unit{start}, path...)
			}
			if _, seen := prev[v]; !seen {
				prev[v] = u
				queue = append(queue, v)
			}
		}
	}
	return nil
}

// depDirective names the first dependency directive u sets, for an error.
func depDirective(u *Unit) string {
	for _, d := range []string{"After", "Requires", "Wants", "Before"} {
		if u.Lines["Unit."+d] > 0 {
			return d
		}
	}
	return "After"
}

// Equal reports whether u and v have the same configuration, ignoring
// where it was written (Path and line numbers), so a reload restarts only
// units whose configuration changed. An added or removed drop-in is a
// change (DropInPaths differ), as in systemd, even one that sets nothing.
func (u *Unit) Equal(v *Unit) bool {
	if u == nil || v == nil {
		return u == v
	}
	return reflect.DeepEqual(comparable(u), comparable(v))
}

// comparable returns a copy of u without positions.
func comparable(u *Unit) Unit {
	c := *u
	c.Lines, c.Path, c.dropInOf = nil, "", nil
	c.Service = u.Service
	for _, p := range []*[]Command{&c.Service.ExecStart, &c.Service.ExecStartPre, &c.Service.ExecStartPost, &c.Service.ExecStop, &c.Service.ExecReload} {
		cmds := make([]Command, len(*p))
		for i, cmd := range *p {
			cmd.Line, cmd.File = 0, ""
			cmds[i] = cmd
		}
		*p = cmds
	}
	return c
}
