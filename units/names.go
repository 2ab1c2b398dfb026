package units

import (
	"fmt"
	"os/user"
	"strings"
)

// Suffixes a unit file may have; .service lets systemd units be copied in.
var suffixes = []string{".unit", ".service"}

// maxNameLen is systemd's limit on unit names.
const maxNameLen = 255

// A unitName is a parsed file or unit name.
type unitName struct {
	prefix   string // "worker" in "worker@2.unit"
	instance string // "2"; "" for templates and plain units
	template bool   // "worker@.unit"
	suffix   string // ".unit" or ".service"
}

// parseName checks a unit name: letters, digits and ":-_.\" before the
// suffix, with at most one "@" separating a template prefix from an
// instance.
func parseName(name string) (unitName, error) {
	var n unitName
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) {
			n.suffix = s
		}
	}
	hint := `(use letters, digits and ":-_.\", at most one "@", and the suffix .unit or .service)`
	switch {
	case n.suffix == "":
		return n, fmt.Errorf("unit name %q has neither the suffix .unit nor .service", name)
	case len(name) > maxNameLen:
		return n, fmt.Errorf("unit name %q is longer than %d bytes", short(name), maxNameLen)
	}
	base := strings.TrimSuffix(name, n.suffix)
	prefix, instance, templ := strings.Cut(base, "@")
	n.prefix, n.instance, n.template = prefix, instance, templ && instance == ""
	if prefix == "" || !validNameChars(prefix) || !validNameChars(instance) {
		return n, fmt.Errorf("invalid unit name %q %s", name, hint)
	}
	return n, nil
}

// validNameChars reports whether s has only characters systemd allows in
// a unit name part.
func validNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(":-_.\\", c) >= 0) {
			return false
		}
	}
	return true
}

// depName turns a dependency as written ("db", "db.service",
// "network.target", "db@%i") into a unit name: the suffix .unit is added
// when there is none.
func depName(s string) (string, error) {
	if s == "" || len(s) > maxNameLen || strings.Count(s, "@") > 1 || !validNameChars(strings.Replace(s, "@", "", 1)) {
		return "", fmt.Errorf("%q is not a unit name (use letters, digits and \":-_.\\\", at most one \"@\")", s)
	}
	if i := strings.LastIndexByte(s, '.'); i > 0 && i < len(s)-1 {
		return s, nil // has a suffix, possibly systemd's own (.target), which svunit ignores
	}
	return s + ".unit", nil
}

// svunitName reports whether a dependency name can name a svunit unit
// (as opposed to a systemd target or socket, which svunit ignores).
func svunitName(s string) bool {
	return strings.HasSuffix(s, ".unit") || strings.HasSuffix(s, ".service")
}

// lookupUser finds a user by name or numeric id.
func lookupUser(name string) (*user.User, error) {
	u, err := user.Lookup(name)
	if err != nil {
		if u, err2 := user.LookupId(name); err2 == nil {
			return u, nil
		}
		return nil, fmt.Errorf("user %q does not exist on this machine (create it, or fix the name: svunit never runs a unit as someone else)", name)
	}
	return u, nil
}

// lookupGroup finds a group by name or numeric id.
func lookupGroup(name string) (*user.Group, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		if g, err2 := user.LookupGroupId(name); err2 == nil {
			return g, nil
		}
		return nil, fmt.Errorf("group %q does not exist on this machine (create it, or fix the name)", name)
	}
	return g, nil
}

// validGroupName reports whether s can name a group of units (@s).
func validGroupName(s string) bool {
	return s != "" && len(s) <= maxNameLen && !strings.ContainsAny(s, "@\\") && validNameChars(s)
}

// editDistance is the number of single-character insertions, deletions,
// substitutions and swaps of neighbours that turn a into b (optimal string
// alignment), for "did you mean" suggestions: "wbe" is one swap from "web".
func editDistance(a, b string) int {
	// rows[i%3] holds row i of the table; a swap looks two rows back.
	rows := [3][]int{make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev2, prev, cur := rows[(i+1)%3], rows[(i+2)%3], rows[i%3]
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
	}
	return rows[len(a)%3][len(b)]
}
