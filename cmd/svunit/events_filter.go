package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"
)

// An eventFilter keeps the events of the units that events' arguments name,
// read as every verb reads them: a name with or without its suffix, a glob,
// @GROUP or all. Names and globs are matched as events come, so that a unit
// a reload adds is seen; a group is its members when events starts.
type eventFilter struct {
	all     bool
	names   []string        // names and globs
	members map[string]bool // the units of the @groups
}

// newEventFilter resolves the @groups of args through the daemon (a missing
// group is an error, exit 5) and warns on stderr about a name or glob that
// matches no unit yet, since events would wait for it in silence.
func (c *client) newEventFilter(ctx context.Context, g *globals, args []string) (*eventFilter, error) {
	f := &eventFilter{all: len(args) == 0, members: map[string]bool{}}
	resolve := func(a string) ([]string, error) {
		var units []string
		err := c.svunit(ctx, "ResolveUnits", []any{&units}, []string{a})
		return units, err
	}
	for _, a := range args {
		switch {
		case a == "all":
			f.all = true
		case strings.HasPrefix(a, "@"):
			units, err := resolve(a)
			if err != nil {
				return nil, err
			}
			for _, u := range units {
				f.members[u] = true
			}
		default:
			f.names = append(f.names, a)
			if _, err := resolve(a); isNoSuchUnit(err) && !g.quiet {
				fmt.Fprintf(os.Stderr, "svunit events: no unit matches %q yet; its events show once 'svunit reload' adds one\n", a)
			}
		}
	}
	return f, nil
}

// match reports whether the events of unit are kept.
func (f *eventFilter) match(unit string) bool {
	if f.all || f.members[unit] {
		return true
	}
	base := strings.TrimSuffix(strings.TrimSuffix(unit, ".unit"), ".service")
	for _, p := range f.names {
		full, _ := path.Match(p, unit)
		short, _ := path.Match(p, base)
		if full || short {
			return true
		}
	}
	return false
}
