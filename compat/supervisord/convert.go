package supervisord

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Options tune Convert.
type Options struct {
	// Environ supplies %(ENV_X)s, as supervisord's own environment does; nil
	// means os.Environ(). Values used are reported as warnings, since they
	// are fixed into the unit files.
	Environ []string
	// Hostname supplies %(host_node_name)s; "" means os.Hostname().
	Hostname string
}

// A Unit is one converted unit file.
type Unit struct {
	Name string // "web.unit", or "worker@.unit" for numprocs > 1
	Text []byte // the unit file
	From Pos    // the [program:x] header it came from
}

// Convert reads the Supervisor configuration at path, with the files its
// [include] section names, and returns one unit per [program:x]. Every
// option that has no unit directive is reported in the returned warnings with
// its file and line. When anything cannot be converted faithfully, Convert
// returns an *Error listing every such line and no units, so that nothing is
// half-converted.
func Convert(path string, o Options) ([]Unit, *Diagnostics, error) {
	d := &Diagnostics{}
	env := o.environ()
	host := o.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	c, err := readConfig(path, newExpander(env, host), d)
	if err != nil {
		return nil, d, err
	}
	c.applyDefaults()
	groups := groupsOf(c, d)
	global := globalEnvironment(c, newExpander(env, host), d)
	var units []Unit
	for _, s := range c.sections {
		kind, name, _ := strings.Cut(s.name, ":")
		switch kind {
		case "program":
			p := &program{sec: s, name: name, groups: groups[name], global: global, d: d}
			if u, ok := p.convert(env, host); ok {
				units = append(units, u)
			}
		case "group", "include", "DEFAULT":
		default:
			warnSection(s, kind, d)
		}
	}
	d.sort()
	if len(d.Errors) > 0 {
		return nil, d, &Error{List: d.Errors}
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Name < units[j].Name })
	return units, d, nil
}

func (o Options) environ() map[string]string {
	list := o.Environ
	if list == nil {
		list = os.Environ()
	}
	env := make(map[string]string, len(list))
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// groupsOf reads the [group:x] sections: which groups each program is in.
func groupsOf(c *config, d *Diagnostics) map[string][]string {
	member := map[string][]string{}
	for _, s := range c.sections {
		kind, name, _ := strings.Cut(s.name, ":")
		if kind != "group" {
			continue
		}
		progs, ok := s.get("programs")
		if !ok {
			d.errorf(s.pos, "[%s] has no programs= option", s.name)
			continue
		}
		for _, p := range strings.Split(progs.value, ",") {
			p = strings.TrimSpace(p)
			if c.byName["program:"+p] == nil {
				d.errorf(progs.pos, "[%s] programs: no [program:%s] section", s.name, p)
				continue
			}
			member[p] = append(member[p], name)
		}
		for _, opt := range s.options {
			switch opt.key {
			case "programs":
			case "priority":
				d.warnf(opt.pos, "[%s] priority= is not carried over: svunit orders units by their own Priority=; set it on %s", s.name, progs.value)
			default:
				d.warnf(opt.pos, "[%s] %s= is not a group option; ignored", s.name, opt.key)
			}
		}
	}
	return member
}

// globalEnvironment reads [supervisord] environment=, which supervisord puts
// in its own environment and so in every program's: Convert writes it into
// each unit.
func globalEnvironment(c *config, exp *expander, d *Diagnostics) [][2]string {
	s := c.byName["supervisord"]
	if s == nil {
		return nil
	}
	opt, ok := s.get("environment")
	if !ok {
		return nil
	}
	exp.vars["here"] = opt.here
	val, err := exp.expand(opt.value)
	if err == nil {
		var pairs [][2]string
		if pairs, err = parseEnvironment(val); err == nil {
			return pairs
		}
	}
	d.errorf(opt.pos, "[supervisord] environment: %v", err)
	return nil
}

// warnSection reports a section that holds no program: supervisord's own
// settings and the kinds of program svunit does not run.
func warnSection(s *section, kind string, d *Diagnostics) {
	switch kind {
	case "supervisord":
		d.warnf(s.pos, "[supervisord] configures the daemon, not a program: see 'svunit daemon --help' for its settings")
	case "eventlistener":
		d.warnf(s.pos, "[%s] not converted: svunit reports events as D-Bus signals ('svunit events'); see docs/from-supervisor.md", s.name)
	case "fcgi-program":
		d.warnf(s.pos, "[%s] not converted: svunit does not open FastCGI sockets for programs", s.name)
	case "unix_http_server", "inet_http_server", "supervisorctl", "rpcinterface", "ctlplugin":
		d.warnf(s.pos, "[%s] not converted: clients reach svunit over D-Bus", s.name)
	default:
		d.warnf(s.pos, "[%s] is not a Supervisor section svunit knows; ignored", s.name)
	}
}

// parseBool reads Supervisor's booleans.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "true", "on", "1":
		return true, nil
	case "no", "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (want true or false)", v)
}

// parseByteSize reads Supervisor's byte sizes: a number with an optional
// KB, MB or GB suffix, powers of 1024.
func parseByteSize(v string) (int64, error) {
	mult := int64(1)
	lower := strings.ToLower(v)
	for suffix, m := range map[string]int64{"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30} {
		if strings.HasSuffix(lower, suffix) {
			mult, lower = m, strings.TrimSuffix(lower, suffix)
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(lower), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size (want bytes, or a number with KB, MB or GB)", v)
	}
	return n * mult, nil
}

// parseUint reads a non-negative integer.
func parseUint(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a non-negative integer", v)
	}
	return n, nil
}
