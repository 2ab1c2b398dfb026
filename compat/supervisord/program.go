package supervisord

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"svunit.dev/svunit/compat"
)

// program converts one [program:x] section. It is used once, by Convert.
type program struct {
	sec    *section
	name   string
	groups []string
	global [][2]string // [supervisord] environment=, which every program inherits
	d      *Diagnostics

	exp       *expander
	ownEnv    map[string]bool // ENV_X names the program's environment= defines
	instances int             // numprocs
	logs      [2]logStream    // stdout, stderr
	redirect  bool            // redirect_stderr
	stopGroup bool            // stopasgroup
	killGroup *bool           // killasgroup, nil when unset
	autostart bool
	service   []string // [Service] lines, in order
	errors    int      // errors reported for this program
}

// logStream collects one stream's options; svunit has one rotation setting
// for both streams, so they are reconciled after reading both.
type logStream struct {
	target   string // StandardOutput=/StandardError= value; "" = svunit's default
	maxBytes *int64
	backups  *int
	pos      Pos
}

var unitName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// convert returns the unit for p, or false after reporting errors.
func (p *program) convert(env map[string]string, host string) (Unit, bool) {
	if !unitName.MatchString(p.name) {
		p.errorf(p.sec.pos, "program name %q cannot be a unit name (letters, digits, _ . - only); rename the section", p.name)
		return Unit{}, false
	}
	p.exp = newExpander(env, host)
	p.ownEnv = map[string]bool{}
	p.exp.vars["program_name"] = p.name
	p.exp.vars["group_name"] = p.name
	if len(p.groups) == 1 {
		p.exp.vars["group_name"] = p.groups[0]
	}
	p.instanceSetup()
	p.autostart = true
	p.readOptions()
	if _, ok := p.sec.get("command"); !ok {
		p.errorf(p.sec.pos, "[%s] has no command=", p.sec.name)
	}
	p.finishLogs()
	p.finishKillMode()
	if p.exp.usedNum && p.exp.template {
		pad := ""
		if p.exp.padded {
			pad = ", without the zero padding"
		}
		p.d.warnf(p.sec.pos, "[%s] %%(process_num) in options becomes the instance specifier %%i: 1 … %d%s", p.sec.name, p.instances, pad)
	}
	for name := range p.exp.usedEnv {
		if _, ok := env[strings.TrimPrefix(name, "ENV_")]; ok && !p.ownEnv[name] {
			p.d.warnf(p.sec.pos, "[%s] %%(%s)s was expanded from this shell's environment; the unit holds its value", p.sec.name, name)
		}
	}
	if p.errors > 0 {
		return Unit{}, false
	}
	return p.render(), true
}

func (p *program) errorf(pos Pos, format string, args ...any) {
	p.errors++
	p.d.errorf(pos, format, args...)
}

// instanceSetup reads numprocs, numprocs_start and process_name, which
// decide whether the unit is a template and what %(process_num) means.
func (p *program) instanceSetup() {
	p.instances = 1
	if opt, ok := p.sec.get("numprocs"); ok {
		n, err := parseUint(opt.value)
		if err != nil || n == 0 {
			p.errorf(opt.pos, "numprocs: %q is not a positive integer", opt.value)
			return
		}
		p.instances = n
	}
	start := 0
	if opt, ok := p.sec.get("numprocs_start"); ok {
		n, err := parseUint(opt.value)
		if err != nil {
			p.errorf(opt.pos, "numprocs_start: %v", err)
		}
		start = n
	}
	p.exp.nums["numprocs"] = p.instances
	pn, hasName := p.sec.get("process_name")
	if p.instances == 1 {
		p.exp.nums["process_num"] = start
		if hasName && pn.value != "%(program_name)s" {
			p.d.warnf(pn.pos, "process_name=%s: svunit names the unit after the program, %s.unit", pn.value, p.name)
		}
		return
	}
	p.exp.template = true
	if !strings.Contains(pn.value, "%(process_num)") {
		p.errorf(p.sec.pos, "numprocs=%d needs %%(process_num) in process_name, as Supervisor requires", p.instances)
		return
	}
	p.d.warnf(pn.pos, "numprocs=%d becomes the template %s@.unit with Instances=%d: the processes are %s@1 … %s@%d (Supervisor numbered them from numprocs_start=%d, as process_name=%s)",
		p.instances, p.name, p.instances, p.name, p.name, p.instances, start, pn.value)
}

// readOptions converts each option in the order written. The environment
// goes first, supervisord's then the program's, since Supervisor offers its
// pairs as %(ENV_X)s to every other option; an option set twice takes its
// last value, as in ConfigParser.
func (p *program) readOptions() {
	if err := p.addEnvironment(p.global); err != nil {
		p.errorf(p.sec.pos, "[supervisord] environment: %v", err)
	}
	if opt, ok := p.sec.get("environment"); ok {
		if err := p.environment(opt); err != nil {
			p.errorf(opt.pos, "environment: %v", err)
		}
	}
	for _, opt := range p.sec.options {
		if last, _ := p.sec.get(opt.key); last.pos != opt.pos {
			p.d.warnf(opt.pos, "%s= is set again at line %d, which wins", opt.key, last.pos.Line)
			continue
		}
		if opt.key == "environment" {
			continue
		}
		val := opt.value
		if opt.key != "process_name" {
			var err error
			p.exp.vars["here"] = opt.here
			if val, err = p.exp.expand(val); err != nil {
				p.errorf(opt.pos, "%s: %v", opt.key, err)
				continue
			}
		}
		if err := p.option(opt, val); err != nil {
			p.errorf(opt.pos, "%s: %v", opt.key, err)
		}
	}
}

// option converts one option; val is expanded.
func (p *program) option(opt option, val string) error {
	if opt.key == "exitcodes" && !slices.Contains(strings.Split(strings.ReplaceAll(val, " ", ""), ","), "0") {
		p.d.warnf(opt.pos, "exitcodes=%s leaves out 0, but svunit always counts exit 0 as success: a program that exits 0 is not restarted by Restart=on-failure", val)
	}
	if h, ok := directOptions[opt.key]; ok {
		line, err := h(val)
		if err == nil {
			p.service = append(p.service, line)
		}
		return err
	}
	switch opt.key {
	case "command":
		return p.command(val)
	case "process_name", "numprocs", "numprocs_start":
	case "autostart":
		b, err := parseBool(val)
		p.autostart = b
		return err
	case "user", "directory":
		return p.verbatim(map[string]string{"user": "User", "directory": "WorkingDirectory"}[opt.key], val)
	case "stopasgroup", "killasgroup", "redirect_stderr":
		return p.flag(opt.key, val)
	case "stdout_logfile", "stderr_logfile", "stdout_logfile_maxbytes", "stderr_logfile_maxbytes",
		"stdout_logfile_backups", "stderr_logfile_backups":
		return p.logOption(opt, val)
	case "stdout_capture_maxbytes", "stderr_capture_maxbytes", "stdout_events_enabled", "stderr_events_enabled",
		"stdout_syslog", "stderr_syslog", "serverurl":
		p.unsupported(opt, val)
	default:
		p.d.warnf(opt.pos, "%s= is not a Supervisor program option; ignored", opt.key)
	}
	return nil
}

// directOptions map one option to one [Service] directive.
var directOptions = map[string]func(string) (string, error){
	"priority":     intDirective("Priority", false),
	"startsecs":    intDirective("StartSecs", true),
	"startretries": intDirective("StartRetries", true),
	"stopwaitsecs": intDirective("TimeoutStopSec", true),
	"autorestart": func(v string) (string, error) {
		switch strings.ToLower(v) {
		case "unexpected":
			return "Restart=on-failure", nil
		}
		b, err := parseBool(v)
		if err != nil {
			return "", fmt.Errorf("%q: want true, false or unexpected", v)
		}
		return map[bool]string{true: "Restart=always", false: "Restart=no"}[b], nil
	},
	"exitcodes": func(v string) (string, error) {
		var codes []string
		for _, c := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(c))
			if err != nil || n < 0 || n > 255 {
				return "", fmt.Errorf("%q is not an exit code (0-255)", c)
			}
			codes = append(codes, strconv.Itoa(n))
		}
		return "SuccessExitStatus=" + strings.Join(codes, " "), nil
	},
	"stopsignal": func(v string) (string, error) {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= 64 {
			return "KillSignal=" + v, nil
		}
		name := strings.TrimPrefix(strings.ToUpper(v), "SIG")
		if slices.Contains(signalNames, name) {
			return "KillSignal=SIG" + name, nil
		}
		return "", fmt.Errorf("%q is not a signal: want a name such as TERM, HUP, INT, QUIT, KILL, USR1, USR2, or a number", v)
	},
	"umask": func(v string) (string, error) {
		n, err := strconv.ParseUint(v, 8, 32)
		if err != nil || n > 0o777 {
			return "", fmt.Errorf("%q is not an octal umask", v)
		}
		return fmt.Sprintf("UMask=%04o", n), nil
	},
}

// signalNames are the POSIX signals stopsignal= may name.
var signalNames = strings.Fields("HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO SYS")

// intDirective converts an integer option; nonNeg rejects negatives.
func intDirective(directive string, nonNeg bool) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(v)
		if err != nil || nonNeg && n < 0 {
			return "", fmt.Errorf("%q is not an integer", v)
		}
		return directive + "=" + strconv.Itoa(n), nil
	}
}

// verbatim writes a directive whose value is taken as written.
func (p *program) verbatim(directive, val string) error {
	v, err := compat.SystemdValue(val)
	if err == nil {
		p.service = append(p.service, directive+"="+v)
	}
	return err
}

// command splits the command as Supervisor does (shlex, POSIX rules) and
// writes it with systemd's quoting.
func (p *program) command(val string) error {
	argv, err := shlexSplit(val)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return fmt.Errorf("empty command")
	}
	line, err := compat.SystemdCommand(argv)
	if err != nil {
		return err
	}
	p.service = append([]string{"ExecStart=" + line}, p.service...)
	return nil
}

// environment parses KEY="value",KEY2=value2 as Supervisor does, after
// expanding it, and makes the pairs available as %(ENV_KEY)s to the options
// that follow, as Supervisor does.
func (p *program) environment(opt option) error {
	p.exp.vars["here"] = opt.here
	val, err := p.exp.expand(opt.value)
	if err != nil {
		return err
	}
	pairs, err := parseEnvironment(val)
	if err != nil {
		return err
	}
	return p.addEnvironment(pairs)
}

// addEnvironment writes pairs as Environment= lines and offers them as
// %(ENV_KEY)s.
func (p *program) addEnvironment(pairs [][2]string) error {
	for _, kv := range pairs {
		q, err := compat.SystemdQuoteEnv(kv[0] + "=" + kv[1])
		if err != nil {
			return err
		}
		p.service = append(p.service, "Environment="+q)
		p.exp.vars["ENV_"+kv[0]] = kv[1]
		p.ownEnv["ENV_"+kv[0]] = true
	}
	return nil
}

// flag records a boolean that is converted together with others.
func (p *program) flag(key, val string) error {
	b, err := parseBool(val)
	if err != nil {
		return err
	}
	switch key {
	case "stopasgroup":
		p.stopGroup = b
	case "killasgroup":
		p.killGroup = &b
	case "redirect_stderr":
		p.redirect = b
	}
	return nil
}

// finishKillMode maps stopasgroup/killasgroup to KillMode=. With neither
// set, svunit's default (the whole control group) applies: see
// docs/from-supervisor.md.
func (p *program) finishKillMode() {
	kill := p.stopGroup
	if p.killGroup != nil {
		kill = *p.killGroup
	}
	switch {
	case p.stopGroup && !kill:
		p.errorf(p.sec.pos, "stopasgroup=true with killasgroup=false is refused by Supervisor too")
	case p.stopGroup:
		p.service = append(p.service, "KillMode=control-group")
	case kill:
		p.service = append(p.service, "KillMode=mixed")
	}
}

// unsupported warns about an option that has no unit directive, unless it
// holds Supervisor's default, which changes nothing.
func (p *program) unsupported(opt option, val string) {
	switch strings.ToLower(val) {
	case "0", "false", "no", "off", "auto", "0kb", "0mb":
		return
	}
	why := map[string]string{
		"serverurl": "svunit's clients find the manager's bus, not a URL",
	}[opt.key]
	if why == "" {
		why = "svunit has no capture mode, log events or second log sink; see docs/from-supervisor.md"
	}
	p.d.warnf(opt.pos, "%s=%s is not carried over: %s", opt.key, val, why)
}

// render writes the unit file.
func (p *program) render() Unit {
	name := p.name + ".unit"
	if p.instances > 1 {
		name = p.name + "@.unit"
		p.service = append(p.service, "Instances="+strconv.Itoa(p.instances))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Converted by 'svunit import' from %s ([%s]).\n", p.sec.pos, p.sec.name)
	fmt.Fprintf(&b, "[Unit]\nDescription=Supervisor program %s\n", p.name)
	if len(p.groups) > 0 {
		fmt.Fprintf(&b, "Groups=%s\n", strings.Join(p.groups, " "))
	}
	fmt.Fprintf(&b, "\n[Service]\n%s\n", strings.Join(p.service, "\n"))
	if p.autostart {
		b.WriteString("\n[Install]\nWantedBy=default.target\n")
	}
	text := strings.ReplaceAll(b.String(), instanceMark, "%i")
	return Unit{Name: name, Text: []byte(text), From: p.sec.pos}
}
