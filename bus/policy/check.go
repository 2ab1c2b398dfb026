package policy

import (
	"errors"
	"fmt"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"svunit.dev/svunit/bus"
	"svunit.dev/svunit/units"
)

// A Verb is what a caller wants to do. The unit verbs are the ones
// AllowUsers= and AllowGroups= grant; Manage is everything manager-wide.
type Verb string

const (
	Status  Verb = "status"  // read properties and lists: open to everyone who can connect
	Logs    Verb = "logs"    // read a unit's log files
	Start   Verb = "start"   // start a unit, or reset its failed state
	Stop    Verb = "stop"    // stop a unit, or cancel its job
	Restart Verb = "restart" // restart (or reload-or-restart) a unit
	Kill    Verb = "kill"    // send a unit's processes a signal
	Manage  Verb = "manage"  // reload the units, reset every unit, change the manager
)

// grantAll is the grant word that stands for every unit verb.
const grantAll = "all"

// unitVerbs are the verbs a grant can name, besides "all".
var unitVerbs = []Verb{Status, Logs, Start, Stop, Restart, Kill}

func (v Verb) changesState() bool { return v != Status && v != Logs }

// Check decides whether c may run verb on u; u is ignored for Manage. A
// refusal's text names the rule that refused.
func (p *Policy) Check(c bus.Cred, verb Verb, u *units.Unit) error {
	if u == nil {
		return p.CheckAll(c, verb)
	}
	return p.CheckAll(c, verb, u)
}

// CheckSender is CheckAll for the caller whose unique bus name is sender,
// on the bus given to Attach. The API calls it once per method call.
func (p *Policy) CheckSender(sender, verb string, us ...*units.Unit) error {
	s := p.srv.Load()
	if s == nil {
		return errors.New("the access policy has no bus to ask who is calling (Attach was not called): refusing")
	}
	c, ok := s.Credentials(sender)
	if !ok {
		return fmt.Errorf("the caller %s is no longer on the bus: refusing", sender)
	}
	return p.CheckAll(c, Verb(verb), us...)
}

// CheckAll decides whether c may run verb on every unit of us; the first
// unit refused refuses the call.
func (p *Policy) CheckAll(c bus.Cred, verb Verb, us ...*units.Unit) error {
	if len(us) == 0 && slices.Contains(unitVerbs, verb) {
		return nil // no such unit: the method says so, and nothing changes
	}
	if p.privileged(c) {
		if verb.changesState() {
			p.logf("access: %s: %s %s: allowed (%s)", who(c), verb, unitNames(us), p.privilegeOf(c))
		}
		return nil
	}
	if verb == Status {
		return nil
	}
	if !slices.Contains(unitVerbs, verb) {
		return p.refuse("%s may not %s: %s reload units or change the manager", who(c), verbText(verb), p.onlyPrivileged())
	}
	id := identify(c)
	rules := p.current()
	for _, u := range us {
		by, near := rules.grantFor(id, verb, u)
		if by == "" {
			return p.refusal(c, verb, u, near)
		}
		if verb.changesState() {
			p.logf("access: %s: %s %s: allowed by %s", who(c), verb, u.Name, by)
		}
	}
	return nil
}

func (p *Policy) privilegeOf(c bus.Cred) string {
	if c.UID == 0 {
		return "root"
	}
	return "the manager's uid"
}

// refusal logs and returns why c may not run verb on u: the rules that name
// the caller but not this verb, then the default rule and how to grant it.
func (p *Policy) refusal(c bus.Cred, verb Verb, u *units.Unit, near []string) error {
	var why string
	if len(near) > 0 {
		why = strings.Join(near, "; ") + "; no rule grants " + string(verb)
	} else {
		why = "no AllowUsers= or AllowGroups= in its unit file"
		if p.path != "" {
			why += " or in " + p.path
		}
		why += " names you"
	}
	name := strconv.FormatUint(uint64(c.UID), 10)
	if n := userName(c.UID); n != "" {
		name = n
	}
	return p.refuse("%s may not %s: %s, and by default %s (to allow it, add AllowUsers=%s:%s to [Unit] in %s)",
		who(c), unitVerbText(verb, u.Name), why, p.onlyPrivileged(), name, verb, u.Path)
}

// unitVerbText says what verb does to unit, for a refusal: "stop web.unit",
// "read the logs of web.unit".
func unitVerbText(v Verb, unit string) string {
	switch v {
	case Logs:
		return "read the logs of " + unit
	case Kill:
		return "send signals to " + unit
	case Status:
		return "see the status of " + unit
	}
	return string(v) + " " + unit
}

func verbText(v Verb) string {
	if v == Manage {
		return "reload or change the manager"
	}
	return fmt.Sprintf("do %q (not a verb svunit knows)", string(v))
}

func unitNames(us []*units.Unit) string {
	if len(us) == 0 {
		return "the manager"
	}
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Name
	}
	return strings.Join(names, " ")
}

// An identity is what grants are matched against: the caller's uid and
// gids, in decimal and by name.
type identity struct {
	user   map[string]bool
	groups map[string]bool
}

// identify looks c up in the user database. Lookups that fail leave the
// numeric ids, which grants may name too.
func identify(c bus.Cred) identity {
	id := identity{user: map[string]bool{}, groups: map[string]bool{}}
	uid := strconv.FormatUint(uint64(c.UID), 10)
	id.user[uid] = true
	if n := userName(c.UID); n != "" {
		id.user[n] = true
	}
	for _, g := range append([]uint32{c.GID}, c.Groups...) {
		gid := strconv.FormatUint(uint64(g), 10)
		id.groups[gid] = true
		if gr, err := user.LookupGroupId(gid); err == nil {
			id.groups[gr.Name] = true
		}
	}
	return id
}

// userName is uid's login name, or "" when it has none.
func userName(uid uint32) string {
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return ""
	}
	return u.Username
}

func userSuffix(uid uint32) string {
	if n := userName(uid); n != "" {
		return " (" + n + ")"
	}
	return ""
}
