package policy

import (
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path"
	"slices"
	"strings"

	"github.com/coreos/go-systemd/v22/unit"

	"svunit.dev/svunit/units"
)

// Rules are the grants of the manager-level file. Each section names the
// units it applies to: a unit name ("web.unit" or "web"), a template
// ("worker@.unit", for all its instances), "@group", a glob ("web-*"), or
// "*" for every unit. Its AllowUsers= and AllowGroups= lines take the same
// NAME:VERB,… entries as in a unit file:
//
//	[web.unit]
//	AllowUsers=alice:status,logs,restart
//
//	[@backend]
//	AllowGroups=devs:all
//
// A Rules is immutable once loaded.
type Rules struct {
	grants []grant
}

// A grant is one NAME:VERB,… entry, with the units it covers and where it
// was written.
type grant struct {
	units string   // the section's pattern; "" for a grant in a unit file
	name  string   // a user or group: its name or numeric id
	group bool     // from AllowGroups=
	verbs []string // unit verbs or "all"
	where string   // "FILE:LINE [SECTION] AllowUsers=NAME:VERBS", for messages
}

// LoadFile reads a rules file. A missing file is no rules; any problem is
// an error listing every bad line as FILE:LINE.
func LoadFile(file string) (*Rules, error) {
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return &Rules{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("access rules: %v", err)
	}
	return parseRules(file, data)
}

// parseRules parses data with go-systemd's parser, as unit files are, and
// checks every entry.
func parseRules(file string, data []byte) (*Rules, error) {
	opts, err := unit.DeserializeOptions(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: cannot parse: %v (the syntax is that of unit files: [SECTION] then NAME=VALUE lines)", file, err)
	}
	lines := optionLines(data, opts)
	var errs units.ErrorList
	r := &Rules{}
	for i, o := range opts {
		r.add(file, lines[i], o, &errs)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// add checks one option and appends its grants.
func (r *Rules) add(file string, line int, o *unit.UnitOption, errs *units.ErrorList) {
	if err := checkPattern(o.Section); err != nil {
		errs.Addf(file, line, o.Section, o.Name, "%v", err)
		return
	}
	group := false
	switch o.Name {
	case "AllowUsers":
	case "AllowGroups":
		group = true
	default:
		errs.Addf(file, line, o.Section, o.Name, "unknown directive (a section of access rules takes AllowUsers= and AllowGroups=)")
		return
	}
	value := strings.TrimSpace(strings.ReplaceAll(o.Value, "\\\n", " "))
	if value == "" { // an empty assignment resets the list, as in unit files
		r.grants = slices.DeleteFunc(r.grants, func(g grant) bool { return g.units == o.Section && g.group == group })
		return
	}
	for _, entry := range strings.Fields(value) {
		g, err := parseGrant(entry, group)
		if err != nil {
			errs.Addf(file, line, o.Section, o.Name, "%v", err)
			continue
		}
		g.units = o.Section
		g.where = fmt.Sprintf("%s:%d [%s] %s=%s", file, line, o.Section, o.Name, entry)
		r.grants = append(r.grants, g)
	}
}

// checkPattern accepts a section name that can select units.
func checkPattern(p string) error {
	switch {
	case p == "" || p == "@":
		return fmt.Errorf("empty section name: name a unit, a template, @group, a glob or *")
	case strings.ContainsAny(p, " \t"):
		return fmt.Errorf("section [%s] has a space: name one unit, template, @group or glob per section", p)
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("section [%s] is not a valid glob: %v", p, err)
	}
	return nil
}

// parseGrant parses NAME:VERB,…; the user or group must exist, so that a
// typo does not silently grant nothing.
func parseGrant(entry string, group bool) (grant, error) {
	name, verbs, ok := strings.Cut(entry, ":")
	if !ok || name == "" || verbs == "" {
		return grant{}, fmt.Errorf("%q is not NAME:VERB[,VERB…] (e.g. alice:status,logs,restart)", entry)
	}
	if err := exists(name, group); err != nil {
		return grant{}, err
	}
	g := grant{name: name, group: group}
	for _, v := range strings.Split(verbs, ",") {
		if v != grantAll && !slices.Contains(unitVerbs, Verb(v)) {
			return grant{}, fmt.Errorf("%q: verb %q is not one of status, logs, start, stop, restart, kill, all", entry, v)
		}
		g.verbs = append(g.verbs, v)
	}
	return g, nil
}

// exists checks that a user or group exists, by name or numeric id.
func exists(name string, group bool) error {
	if group {
		if _, err := user.LookupGroup(name); err == nil {
			return nil
		}
		if _, err := user.LookupGroupId(name); err == nil {
			return nil
		}
		return fmt.Errorf("group %q does not exist on this machine (create it, or fix the name)", name)
	}
	if _, err := user.Lookup(name); err == nil {
		return nil
	}
	if _, err := user.LookupId(name); err == nil {
		return nil
	}
	return fmt.Errorf("user %q does not exist on this machine (create it, or fix the name)", name)
}

// optionLines finds the line of each option go-systemd returned: options
// come in file order, so each is the next "NAME=" line of its section.
func optionLines(data []byte, opts []*unit.UnitOption) []int {
	lines := strings.Split(string(data), "\n")
	out := make([]int, len(opts))
	section, i := "", 0
	for k, o := range opts {
		for ; i < len(lines); i++ {
			t := strings.TrimSpace(lines[i])
			if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
				section = t[1 : len(t)-1]
				continue
			}
			name, _, ok := strings.Cut(t, "=")
			if ok && section == o.Section && strings.TrimSpace(name) == o.Name {
				out[k] = i + 1
				i++
				break
			}
		}
	}
	return out
}

// covers reports whether a section pattern selects u.
func covers(pattern string, u *units.Unit) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(u.Name, ".unit"), ".service")
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "@"):
		return slices.Contains(u.Groups, pattern[1:])
	case pattern == u.Name || pattern == base || (u.Template != "" && pattern == u.Template):
		return true
	}
	m1, _ := path.Match(pattern, u.Name)
	m2, _ := path.Match(pattern, base)
	return m1 || m2
}

// unitGrants returns the grants written in u's own file.
func unitGrants(u *units.Unit) []grant {
	var gs []grant
	for _, k := range []struct {
		key     string
		entries []string
		group   bool
	}{{"AllowUsers", u.AllowUsers, false}, {"AllowGroups", u.AllowGroups, true}} {
		for _, e := range k.entries {
			name, verbs, _ := strings.Cut(e, ":")
			file, line := u.Where("Unit." + k.key)
			gs = append(gs, grant{name: name, group: k.group, verbs: strings.Split(verbs, ","),
				where: fmt.Sprintf("%s:%d %s=%s", file, line, k.key, e)})
		}
	}
	return gs
}

// grantFor returns the first rule that lets id run verb on u, or "" and
// the rules that name id without granting verb.
func (r *Rules) grantFor(id identity, verb Verb, u *units.Unit) (by string, near []string) {
	gs := unitGrants(u)
	if r != nil {
		for _, g := range r.grants {
			if covers(g.units, u) {
				gs = append(gs, g)
			}
		}
	}
	for _, g := range gs {
		if (g.group && !id.groups[g.name]) || (!g.group && !id.user[g.name]) {
			continue
		}
		if slices.Contains(g.verbs, grantAll) || slices.Contains(g.verbs, string(verb)) {
			return g.where, nil
		}
		near = append(near, g.where+" grants only "+strings.Join(g.verbs, ","))
	}
	return "", near
}
