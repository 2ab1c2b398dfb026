package compat

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
)

// A Target is an init system svunit can write a wrapper for.
type Target string

// The targets of Generate, named as on the command line.
const (
	FreeBSD Target = "rc.d"         // FreeBSD rc.d script (rc.subr + daemon(8))
	OpenBSD Target = "openbsd-rc.d" // OpenBSD rc.d script (rc.subr, rc_bg)
	NetBSD  Target = "netbsd-rc.d"  // NetBSD rc.d script (rc.subr)
	SysV    Target = "init.d"       // LSB/SysV init script, POSIX sh only
	OpenRC  Target = "openrc"       // OpenRC runscript (openrc-run)
	Upstart Target = "upstart"      // Upstart job (/etc/init/NAME.conf)
	Launchd Target = "launchd"      // macOS launchd property list
	Systemd Target = "systemd"      // systemd service unit
)

// Targets lists every target in the order the documentation presents them.
var Targets = []Target{FreeBSD, OpenBSD, NetBSD, SysV, OpenRC, Upstart, Launchd, Systemd}

// ParseTarget returns the target named s.
func ParseTarget(s string) (Target, error) {
	if slices.Contains(Targets, Target(s)) {
		return Target(s), nil
	}
	names := make([]string, len(Targets))
	for i, t := range Targets {
		names[i] = string(t)
	}
	return "", fmt.Errorf("unknown target %q: want one of %s", s, strings.Join(names, ", "))
}

// SupportsUser reports whether t can run a per-user manager.
func (t Target) SupportsUser() bool { return t == Launchd || t == Systemd }

// Options describe the manager a wrapper runs.
type Options struct {
	Name       string // service name; "" means "svunit"
	Executable string // absolute path of the svunit binary
	User       bool   // a per-user manager (launchd agent, systemd --user)
	Units      string // --units for the daemon; "" leaves the daemon's default
	Bus        string // --bus for the daemon; "" leaves the daemon's default
	// LogFile receives the daemon's own output where the init system does not
	// capture it (init.d, NetBSD, OpenRC, launchd); "" means /var/log/NAME.log.
	LogFile string
}

// defaultBus is where a system manager puts its bus when --bus is not given;
// the init.d script waits for it to appear.
const defaultBus = "/run/svunit/bus"

func (o Options) name() string {
	if o.Name == "" {
		return "svunit"
	}
	return o.Name
}

func (o Options) logFile() string {
	if o.LogFile == "" {
		return "/var/log/" + o.name() + ".log"
	}
	return o.LogFile
}

// DaemonArgs returns the arguments after the executable that start the
// manager in the foreground.
func (o Options) DaemonArgs() []string {
	args := []string{"daemon", "--system"}
	if o.User {
		args[1] = "--user"
	}
	if o.Units != "" {
		args = append(args, "--units", o.Units)
	}
	if o.Bus != "" {
		args = append(args, "--bus", o.Bus)
	}
	return args
}

// check validates o for target t.
func (o Options) check(t Target) error {
	if !filepath.IsAbs(o.Executable) {
		return fmt.Errorf("executable %q: want an absolute path", o.Executable)
	}
	if o.User && !t.SupportsUser() {
		return fmt.Errorf("%s has no per-user services; only launchd and systemd do (drop --user)", t)
	}
	for _, p := range [][2]string{{"--units", o.Units}, {"--bus", o.Bus}, {"log file", o.LogFile}} {
		if p[1] != "" && !filepath.IsAbs(p[1]) {
			return fmt.Errorf("%s %q: want an absolute path, since the init system's working directory is not yours", p[0], p[1])
		}
	}
	return checkName(t, o.name())
}

// checkName rejects service names the target cannot use: rc.subr derives
// shell variable names from it, launchd and systemd file names must not
// hold a slash.
func checkName(t Target, name string) error {
	for i, r := range name {
		ok := r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9'
		if !ok && t != FreeBSD && t != OpenBSD && t != NetBSD {
			ok = r == '-' || r == '.' || '0' <= r && r <= '9'
		}
		if !ok {
			return fmt.Errorf("service name %q: %s allows only letters, digits and _ (and - . except on the BSDs), not %q", name, t, r)
		}
	}
	if name == "" {
		return fmt.Errorf("service name is empty")
	}
	return nil
}

// Generate returns the wrapper that runs the svunit manager under init system
// t, with every path quoted for t's language. It fails, naming the value, when
// a path cannot be represented there.
func Generate(t Target, o Options) ([]byte, error) {
	if err := o.check(t); err != nil {
		return nil, err
	}
	var data any
	var err error
	switch t {
	case FreeBSD:
		data, err = freebsdData(o)
	case OpenBSD:
		data, err = openbsdData(o)
	case NetBSD:
		if err = checkPlain("executable", o.Executable); err == nil {
			data, err = shellData(o)
		}
	case SysV:
		data, err = shellData(o)
	case OpenRC:
		data, err = openrcData(o)
	case Upstart:
		data, err = upstartData(o)
	case Launchd:
		data, err = launchdData(o)
	case Systemd:
		data, err = systemdData(o)
	default:
		_, err = ParseTarget(string(t))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	var b bytes.Buffer
	if err := templates[t].Execute(&b, data); err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	return b.Bytes(), nil
}

// scriptData is what the shell templates substitute: every field is already
// quoted for the shell.
type scriptData struct {
	Name    string // service name (a plain word)
	Exe     string // the svunit binary
	Args    string // daemon arguments
	Command string // Exe and Args
	LogFile string
	Bus     string
	Pidfile string
	User    bool
}

// shellData quotes o for a script that runs the command itself (NetBSD's
// start_cmd, init.d): one level of shell quoting. NetBSD's rc.subr also
// compares the executable with the process list, so NetBSD checks it with
// checkPlain first.
func shellData(o Options) (*scriptData, error) {
	d := &scriptData{Name: o.name(), User: o.User}
	var err error
	q := func(dst *string, s string) {
		if err == nil {
			*dst, err = ShellQuote(s)
		}
	}
	q(&d.Exe, o.Executable)
	q(&d.LogFile, o.logFile())
	q(&d.Bus, pick(o.Bus, defaultBus))
	q(&d.Pidfile, "/var/run/"+d.Name+".pid")
	if err == nil {
		d.Args, err = shellWords(o.DaemonArgs())
	}
	d.Command = d.Exe + " " + d.Args
	return d, err
}

// freebsdData quotes o for FreeBSD's rc.subr, which evaluates command_args
// once more: the argument list is quoted, then the whole is quoted again,
// and arguments that the second evaluation could change are refused.
func freebsdData(o Options) (*scriptData, error) {
	if err := checkPlain("executable", o.Executable); err != nil {
		return nil, err
	}
	if err := checkArgsReevaluated(o.DaemonArgs()); err != nil {
		return nil, err
	}
	d := &scriptData{Name: o.name(), Exe: o.Executable, Pidfile: "/var/run/" + o.name() + ".pid"}
	inner, err := shellWords(append([]string{"-f", "-S", "-T", d.Name, "-p", d.Pidfile, o.Executable}, o.DaemonArgs()...))
	if err != nil {
		return nil, err
	}
	d.Args, err = ShellQuote(inner)
	return d, err
}

// openbsdData checks o for OpenBSD's rc.subr, which finds the daemon with
// pgrep -xf "$daemon $daemon_flags": the flags must read exactly as the
// process's command line, so nothing in them may need quoting.
func openbsdData(o Options) (*scriptData, error) {
	if err := checkPlain("executable", o.Executable); err != nil {
		return nil, err
	}
	for _, a := range o.DaemonArgs() {
		if err := checkPlain("daemon argument", a); err != nil {
			return nil, err
		}
	}
	return &scriptData{Name: o.name(), Exe: o.Executable, Args: strings.Join(o.DaemonArgs(), " ")}, nil
}

// openrcData quotes o for OpenRC, whose supervise-daemon.sh evaluates
// command_args once more and passes command and output_log unquoted.
func openrcData(o Options) (*scriptData, error) {
	if err := checkPlain("executable", o.Executable); err != nil {
		return nil, err
	}
	if err := checkPlain("log file", o.logFile()); err != nil {
		return nil, err
	}
	if err := checkArgsReevaluated(o.DaemonArgs()); err != nil {
		return nil, err
	}
	inner, err := shellWords(o.DaemonArgs())
	if err != nil {
		return nil, err
	}
	d := &scriptData{Name: o.name(), Exe: o.Executable, LogFile: o.logFile()}
	d.Args, err = ShellQuote(inner)
	return d, err
}

// checkArgsReevaluated applies checkReevaluated to each daemon argument.
func checkArgsReevaluated(args []string) error {
	for _, a := range args {
		if err := checkReevaluated("daemon argument", a); err != nil {
			return err
		}
	}
	return nil
}

// upstartData quotes o for Upstart, which runs an exec stanza that holds
// shell characters with /bin/sh; a stanza is one line, so no value may hold
// a control character.
func upstartData(o Options) (*scriptData, error) {
	for _, a := range append([]string{o.Executable}, o.DaemonArgs()...) {
		if strings.IndexFunc(a, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			return nil, fmt.Errorf("%q holds a control character, which an Upstart stanza cannot carry", a)
		}
	}
	return shellData(o)
}

// plistData is what the launchd template substitutes, XML-escaped.
type plistData struct {
	Label   string
	Argv    []string
	LogFile string
}

func launchdData(o Options) (*plistData, error) {
	d := &plistData{}
	var err error
	if d.Label, err = XMLEscape(o.name()); err != nil {
		return nil, err
	}
	if d.LogFile, err = XMLEscape(o.logFile()); err != nil {
		return nil, err
	}
	for _, a := range append([]string{o.Executable}, o.DaemonArgs()...) {
		e, err := XMLEscape(a)
		if err != nil {
			return nil, err
		}
		d.Argv = append(d.Argv, e)
	}
	return d, nil
}

// unitData is what the systemd template substitutes.
type unitData struct {
	ExecStart string // quoted by SystemdQuote
	User      bool
}

func systemdData(o Options) (*unitData, error) {
	cmd, err := SystemdCommand(append([]string{o.Executable}, o.DaemonArgs()...))
	if err != nil {
		return nil, err
	}
	return &unitData{ExecStart: cmd, User: o.User}, nil
}

// pick returns the first non-empty string.
func pick(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

var templates = map[Target]*template.Template{}

func init() {
	for t, text := range templateText {
		templates[t] = template.Must(template.New(string(t)).Parse(text))
	}
}
