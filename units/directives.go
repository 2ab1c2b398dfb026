package units

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"svunit.dev/svunit/journal"
)

// A directive is one key svunit accepts in a unit file. The table below is
// the single source of truth: the loader dispatches on it and
// docs/directives.md is generated from it.
type directive struct {
	Section, Name string
	Type          string // how the value reads, for the docs
	Default       string // the value when the directive is absent
	Doc           string // what it does
	Supervisor    string // the supervisord.conf equivalent, or "–"
	parse         func(b *builder, v string) error
}

// A builder carries one unit under construction through the table's parse
// functions. It is used by one goroutine.
type builder struct {
	u    *Unit
	spec *specifiers
	line int    // line of the option being parsed
	file string // the file it is in (the unit file or a drop-in)
}

// Field accessors keep the table readable.
type (
	strField  func(*Unit) *string
	listField func(*Unit) *[]string
	durField  func(*Unit) *time.Duration
	intField  func(*Unit) *int
)

// setString stores v after specifier expansion, checked by check (may be nil).
func setString(f strField, check func(string) error) func(*builder, string) error {
	return func(b *builder, v string) error {
		v, err := b.spec.expand(v)
		if err == nil && check != nil {
			err = check(v)
		}
		if err == nil {
			*f(b.u) = v
		}
		return err
	}
}

// setList appends the space-separated words of v, each turned by conv; an
// empty value resets the list, as in systemd.
func setList(f listField, conv func(string) (string, error)) func(*builder, string) error {
	return func(b *builder, v string) error {
		if strings.TrimSpace(v) == "" {
			*f(b.u) = nil
			return nil
		}
		for _, w := range strings.Fields(v) {
			w, err := b.spec.expand(w)
			if err == nil && conv != nil {
				w, err = conv(w)
			}
			if err != nil {
				return err
			}
			*f(b.u) = append(*f(b.u), w)
		}
		return nil
	}
}

// setValue stores what parse makes of the value.
func setValue[T any](f func(*Unit) *T, parse func(string) (T, error)) func(*builder, string) error {
	return func(b *builder, v string) error {
		x, err := parse(v)
		*f(b.u) = x
		return err
	}
}

func setDuration(f durField) func(*builder, string) error { return setValue(f, parseTimeSpan) }

// enum parses one of a fixed list of values into a string type.
func enum[T ~string](values ...T) func(string) (T, error) {
	return func(v string) (T, error) {
		for _, w := range values {
			if T(v) == w {
				return w, nil
			}
		}
		names := make([]string, len(values))
		for i, w := range values {
			names[i] = string(w)
		}
		return T(v), fmt.Errorf("%q is not one of %s", v, strings.Join(names, ", "))
	}
}

func setInt(f intField, lo, hi int) func(*builder, string) error {
	return func(b *builder, v string) error {
		n, err := parseInt(v, lo, hi)
		*f(b.u) = n
		return err
	}
}

// orEmpty lets an empty value through check: it resets the directive to
// its default, as in systemd.
func orEmpty(check func(string) error) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		return check(v)
	}
}

func absPath(v string) error {
	if !filepath.IsAbs(v) {
		return fmt.Errorf("%q is not an absolute path (write the full path, starting with /)", v)
	}
	return nil
}

func addExec(f func(*Unit) *[]Command) func(*builder, string) error {
	return func(b *builder, v string) error {
		if strings.TrimSpace(v) == "" {
			*f(b.u) = nil
			return nil
		}
		cmds, err := parseExec(v, b.line, b.spec)
		for i := range cmds {
			cmds[i].File = b.file
		}
		*f(b.u) = append(*f(b.u), cmds...)
		return err
	}
}

// accessVerbs are the verbs AllowUsers= and AllowGroups= can grant.
var accessVerbs = []string{"status", "logs", "start", "stop", "restart", "kill", "all"}

// grant checks one "name:verb,verb" entry of AllowUsers= or AllowGroups=;
// the user or group must exist.
func grant(lookup func(string) error) func(string) (string, error) {
	return func(w string) (string, error) {
		name, verbs, ok := strings.Cut(w, ":")
		if !ok || name == "" || verbs == "" {
			return "", fmt.Errorf("%q is not NAME:VERB[,VERB…] (e.g. alice:status,logs,restart)", w)
		}
		if err := lookup(name); err != nil {
			return "", err
		}
		for _, v := range strings.Split(verbs, ",") {
			if _, err := enum(accessVerbs...)(v); err != nil {
				return "", fmt.Errorf("%q: verb %w", w, err)
			}
		}
		return w, nil
	}
}

func target(v string) error { _, err := journal.ParseTarget(v); return err }

func syslogLevel(v string) error { _, err := journal.ParseSyslogLevel(v, 0); return err }

// table is every directive svunit accepts, in the order of the docs.
var table = append(mainDirectives, limitDirectives()...)

// mainDirectives are the rows written out by hand.
var mainDirectives = []*directive{
	// [Unit]
	{"Unit", "Description", "string", "–", "A one-line description shown by status and list.", "–",
		setString(func(u *Unit) *string { return &u.Description }, nil)},
	{"Unit", "Documentation", "list of URLs", "–", "Where to read about the program (shown by status): http:, https:, file:, info: or man: URLs, taken literally (no %-specifiers, so %20 stays).", "–",
		func(b *builder, v string) error {
			if strings.TrimSpace(v) == "" {
				b.u.Documentation = nil
				return nil
			}
			for _, w := range strings.Fields(v) {
				scheme, _, _ := strings.Cut(w, ":")
				if _, err := enum("http", "https", "file", "info", "man")(scheme); err != nil || !strings.Contains(w, ":") {
					return fmt.Errorf("%q is not a URL with the scheme http, https, file, info or man", w)
				}
				b.u.Documentation = append(b.u.Documentation, w)
			}
			return nil
		}},
	{"Unit", "After", "list of units", "–", "Start after these units (and stop before them); a name without suffix means NAME.unit; systemd targets such as network.target are ignored.", "–",
		setList(func(u *Unit) *[]string { return &u.After }, depName)},
	{"Unit", "Before", "list of units", "–", "Start before these units (and stop after them).", "–",
		setList(func(u *Unit) *[]string { return &u.Before }, depName)},
	{"Unit", "Requires", "list of units", "–", "These units must exist and start first; svunit also orders after them. Stopping one of them stops this unit first, as in systemd.", "–",
		setList(func(u *Unit) *[]string { return &u.Requires }, depName)},
	{"Unit", "Wants", "list of units", "–", "Start these units too when they exist; svunit also orders after them.", "–",
		setList(func(u *Unit) *[]string { return &u.Wants }, depName)},
	{"Unit", "Groups", "list of names", "–", "Make the unit a member of each group @NAME, so `svunit restart @NAME` acts on all members in order. Not the unix group: that is [Service] Group=.", "[group:NAME] programs=",
		setList(func(u *Unit) *[]string { return &u.Groups }, groupName)},
	{"Unit", "AllowUsers", "list of USER:VERB,…", "–", "Lets these users run the verbs (status, logs, start, stop, restart, kill, all) on this unit over the bus; the user must exist.", "[unix_http_server] chown/username",
		setList(func(u *Unit) *[]string { return &u.AllowUsers }, grant(func(n string) error { _, err := lookupUser(n); return err }))},
	{"Unit", "AllowGroups", "list of GROUP:VERB,…", "–", "Like AllowUsers=, for every member of a unix group; the group must exist.", "[unix_http_server] chown",
		setList(func(u *Unit) *[]string { return &u.AllowGroups }, grant(func(n string) error { _, err := lookupGroup(n); return err }))},
	{"Unit", "StartLimitIntervalSec", "time span", "10s", "The window of StartLimitBurst=.", "–",
		setDuration(func(u *Unit) *time.Duration { return &u.Service.StartLimitInterval })},
	{"Unit", "StartLimitBurst", "integer", "0 (off)", "Refuse to start more than this many times within StartLimitIntervalSec=; 0 turns the limit off, since StartRetries= already bounds a crash loop.", "–",
		setInt(func(u *Unit) *int { return &u.Service.StartLimitBurst }, 0, 1<<20)},

	// [Service]
	{"Service", "Type", "simple|exec|notify|oneshot|forking", "simple", "When the program counts as started: at fork (simple), after execve (exec), on READY=1 (notify), when it exits successfully (oneshot), when its parent exits (forking).", "–",
		setValue(func(u *Unit) *ServiceType { return &u.Service.Type }, enum(Simple, Exec, Notify, Oneshot, Forking))},
	{"Service", "ExecStart", "command line", "required", "The program and its arguments, split by systemd's rules (quotes, C escapes, $VAR and ${VAR} from the environment at spawn time, %-specifiers). Prefixes: - (a failure counts as success), @ (next word is argv[0]), : (no $VAR expansion). No shell is involved: use /bin/sh -c '…' for one. Only Type=oneshot may have several.", "command",
		addExec(func(u *Unit) *[]Command { return &u.Service.ExecStart })},
	{"Service", "ExecStartPre", "command line", "–", "Commands run, in order, before ExecStart=; a failure fails the start.", "–",
		addExec(func(u *Unit) *[]Command { return &u.Service.ExecStartPre })},
	{"Service", "ExecStartPost", "command line", "–", "Commands run after the program has started.", "–",
		addExec(func(u *Unit) *[]Command { return &u.Service.ExecStartPost })},
	{"Service", "ExecStop", "command line", "–", "Commands that ask the program to stop; KillSignal= follows for what is left.", "–",
		addExec(func(u *Unit) *[]Command { return &u.Service.ExecStop })},
	{"Service", "ExecReload", "command line", "–", "Commands run by reload-or-restart; without it the unit restarts.", "–",
		addExec(func(u *Unit) *[]Command { return &u.Service.ExecReload })},
	{"Service", "PIDFile", "absolute path", "–", "Type=forking: the file the daemon writes its main PID to.", "– (pidproxy)",
		setString(func(u *Unit) *string { return &u.Service.PIDFile }, absPath)},
	{"Service", "WorkingDirectory", "absolute path or ~", "User='s home when User= is set, else the manager's directory", "The directory the program starts in; a - prefix ignores a missing directory.", "directory",
		func(b *builder, v string) error {
			v, err := b.spec.expand(v)
			b.u.Service.WorkingDirectoryOptional = strings.HasPrefix(v, "-")
			v = strings.TrimPrefix(v, "-")
			if err == nil && v != "~" {
				err = absPath(v)
			}
			b.u.Service.WorkingDirectory = v
			return err
		}},
	{"Service", "User", "user name or UID", "the manager's user", "Run as this user; it must exist when the unit is loaded, or the unit is refused (never run as someone else).", "user",
		setString(func(u *Unit) *string { return &u.Service.User }, orEmpty(func(v string) error { _, err := lookupUser(v); return err }))},
	{"Service", "Group", "group name or GID", "User='s primary group", "Run with this unix group; it must exist. Not a svunit group: that is [Unit] Groups=.", "–",
		setString(func(u *Unit) *string { return &u.Service.Group }, orEmpty(func(v string) error { _, err := lookupGroup(v); return err }))},
	{"Service", "SupplementaryGroups", "list of groups", "User='s groups", "Extra unix groups for the process; each must exist.", "–",
		setList(func(u *Unit) *[]string { return &u.Service.SupplementaryGroups }, func(v string) (string, error) { _, err := lookupGroup(v); return v, err })},
	{"Service", "UMask", "octal mode", "the manager's", "The file mode creation mask, e.g. 0022.", "umask",
		setValue(func(u *Unit) **uint32 { return &u.Service.UMask }, func(v string) (*uint32, error) { m, err := parseUMask(v); return &m, err })},
	{"Service", "Environment", "KEY=VALUE …", "–", "Variables for the program, quoted as in systemd (\"KEY=a b\"); may be repeated; an empty value clears the list.", "environment",
		func(b *builder, v string) error {
			if strings.TrimSpace(v) == "" {
				b.u.Service.Environment = nil
				return nil
			}
			env, err := parseEnvironment(v, b.spec)
			b.u.Service.Environment = append(b.u.Service.Environment, env...)
			return err
		}},
	{"Service", "EnvironmentFile", "absolute path", "–", "Read KEY=VALUE lines from this file at each start; a - prefix ignores a missing file.", "–",
		func(b *builder, v string) error {
			if strings.TrimSpace(v) == "" {
				b.u.Service.EnvironmentFiles = nil
				return nil
			}
			v, err := b.spec.expand(v)
			f := EnvironmentFile{Path: strings.TrimPrefix(v, "-"), Optional: strings.HasPrefix(v, "-")}
			if err == nil {
				err = absPath(f.Path)
			}
			b.u.Service.EnvironmentFiles = append(b.u.Service.EnvironmentFiles, f)
			return err
		}},
	{"Service", "PassEnvironment", "list of names", "–", "Pass these variables from the manager's own environment.", "– (supervisord passes its whole environment)",
		setList(func(u *Unit) *[]string { return &u.Service.PassEnvironment }, func(v string) (string, error) {
			if !validEnvName(v) {
				return "", fmt.Errorf("%q is not a variable name", v)
			}
			return v, nil
		})},
	{"Service", "Restart", "no|always|on-success|on-failure|on-abnormal|on-abort|on-watchdog", "on-failure", "When to restart the program after it exits. svunit's default differs from systemd's (no): it is Supervisor's autorestart=unexpected.", "autorestart",
		setValue(func(u *Unit) *RestartPolicy { return &u.Service.Restart },
			enum(RestartNo, RestartAlways, RestartOnSuccess, RestartOnFailure, RestartOnAbnormal, RestartOnAbort, RestartOnWatchdog))},
	{"Service", "RestartSec", "time span", "100ms", "The first delay before a restart; while the program keeps crashing it grows exponentially, as systemd's does, to RestartMaxDelaySec= over RestartSteps= restarts, so a crash loop costs little CPU.", "– (BACKOFF waits 1s, 2s, 3s…)",
		setDuration(func(u *Unit) *time.Duration { return &u.Service.RestartSec })},
	{"Service", "RestartSteps", "integer", "10", "How many restarts it takes the delay to grow from RestartSec= to RestartMaxDelaySec=; 0 keeps it fixed.", "–",
		setInt(func(u *Unit) *int { return &u.Service.RestartSteps }, 0, 1<<20)},
	{"Service", "RestartMaxDelaySec", "time span", "30s", "The longest restart delay; infinity sets no cap.", "–",
		setDuration(func(u *Unit) *time.Duration { return &u.Service.RestartMaxDelaySec })},
	{"Service", "SuccessExitStatus", "exit codes and signal names", "–", "Exit statuses counted as success besides 0, SIGHUP, SIGINT, SIGTERM and SIGPIPE.", "exitcodes",
		exitStatus(func(u *Unit) *ExitStatusSet { return &u.Service.SuccessExitStatus })},
	{"Service", "RestartPreventExitStatus", "exit codes and signal names", "–", "Never restart after these exit statuses.", "–",
		exitStatus(func(u *Unit) *ExitStatusSet { return &u.Service.RestartPreventExitStatus })},
	{"Service", "RestartForceExitStatus", "exit codes and signal names", "–", "Always restart after these exit statuses, whatever Restart= says.", "–",
		exitStatus(func(u *Unit) *ExitStatusSet { return &u.Service.RestartForceExitStatus })},
	{"Service", "StartSecs", "time span", "1s", "The program must stay up this long to count as RUNNING; exiting sooner is a failed start (BACKOFF).", "startsecs",
		setDuration(func(u *Unit) *time.Duration { return &u.Service.StartSecs })},
	{"Service", "StartRetries", "integer", "3", "Failed starts retried before the unit gives up (FATAL) until started again. A start fails when the program exits before StartSecs= (Supervisor's BACKOFF); the n-th retry waits n × max(StartSecs=, RestartSec=): 1 s, 2 s, 3 s with the defaults.", "startretries",
		setInt(func(u *Unit) *int { return &u.Service.StartRetries }, 0, 1<<20)},
	{"Service", "TimeoutStartSec", "time span", "90s (infinity for Type=oneshot, as in systemd)", "Type=notify, forking, oneshot: how long to wait for readiness (a oneshot: for its commands to finish) before the start fails.", "–",
		setDuration(func(u *Unit) *time.Duration { return &u.Service.TimeoutStartSec })},
	{"Service", "TimeoutStopSec", "time span", "10s", "How long to wait after KillSignal= before SIGKILL; infinity never kills. svunit's default is Supervisor's, not systemd's 90s.", "stopwaitsecs",
		setDuration(func(u *Unit) *time.Duration { return &u.Service.TimeoutStopSec })},
	{"Service", "TimeoutSec", "time span", "–", "Sets both TimeoutStartSec= and TimeoutStopSec=.", "–",
		func(b *builder, v string) error {
			d, err := parseTimeSpan(v)
			b.u.Service.TimeoutStartSec, b.u.Service.TimeoutStopSec = d, d
			return err
		}},
	{"Service", "KillSignal", "signal", "SIGTERM", "The signal that asks the program to stop.", "stopsignal",
		setValue(func(u *Unit) *syscall.Signal { return &u.Service.KillSignal }, ParseSignal)},
	{"Service", "KillMode", "control-group|mixed|process|none", "control-group", "Who gets the stop signal: every process the unit started (svunit has no cgroups: the process group), the main process then SIGKILL to the rest (mixed), the main process only, or nobody. The default spares users Supervisor's orphaned grandchildren.", "stopasgroup, killasgroup",
		setValue(func(u *Unit) *KillMode { return &u.Service.KillMode }, enum(KillControlGroup, KillMixed, KillProcess, KillNone))},
	{"Service", "SendSIGKILL", "boolean", "yes", "Whether to SIGKILL what is left after TimeoutStopSec=.", "–",
		setValue(func(u *Unit) *bool { return &u.Service.SendSIGKILL }, parseBool)},
	{"Service", "Priority", "integer", "999", "Start order among units with no dependency between them: lower starts first and stops last.", "priority",
		setInt(func(u *Unit) *int { return &u.Service.Priority }, -1<<31, 1<<31-1)},
	{"Service", "Instances", "integer 1–" + fmt.Sprint(maxInstances), "– (required in a template loaded on its own)", "In a template NAME@.unit: run NAME@1 … NAME@N. Instance files NAME@X.unit (e.g. symlinks to the template) may be used instead.", "numprocs",
		setInt(func(u *Unit) *int { return &u.Service.Instances }, 1, maxInstances)},
	{"Service", "StandardOutput", "append:PATH|file:PATH|truncate:PATH|null|inherit|journal|syslog", "a rotated file NAME.stdout.log in the log directory", "Where the program's standard output goes. Two units may not write to the same file.", "stdout_logfile",
		setString(func(u *Unit) *string { return &u.Service.StandardOutput }, target)},
	{"Service", "StandardError", "as StandardOutput, inherit = with stdout", "a rotated file NAME.stderr.log in the log directory", "Where standard error goes; inherit sends it wherever standard output goes.", "stderr_logfile, redirect_stderr",
		setString(func(u *Unit) *string { return &u.Service.StandardError }, target)},
	{"Service", "SyslogIdentifier", "string", "%N (the unit name without suffix)", "The tag of syslog and journal lines.", "–",
		setString(func(u *Unit) *string { return &u.Service.SyslogIdentifier }, nil)},
	{"Service", "SyslogFacility", "syslog facility", "daemon", "The facility of syslog lines (daemon, user, local0…local7, …).", "–",
		setString(func(u *Unit) *string { return &u.Service.SyslogFacility }, func(v string) error { _, err := journal.ParseSyslogFacility(v); return err })},
	{"Service", "SyslogLevel", "syslog level", "info", "The level of standard output lines.", "–",
		setString(func(u *Unit) *string { return &u.Service.SyslogLevel }, syslogLevel)},
	{"Service", "SyslogErrorLevel", "syslog level", "err", "The level of standard error lines (svunit only).", "–",
		setString(func(u *Unit) *string { return &u.Service.SyslogErrorLevel }, syslogLevel)},
	{"Service", "SyslogFormat", "rfc3164|rfc5424", "rfc3164", "The syslog message format: RFC 3164 as glibc's syslog(3) sends it locally, or RFC 5424 with a full timestamp and the host name, for daemons that parse it.", "–",
		setString(func(u *Unit) *string { return &u.Service.SyslogFormat }, func(v string) error { _, err := journal.ParseSyslogFormat(v); return err })},
	{"Service", "LogMaxBytes", "size", "50M (52428800 bytes, Supervisor's 50MB)", "Rotate a log file before it grows past this size (K, M, G are powers of 1024); 0 never rotates.", "stdout_logfile_maxbytes",
		setValue(func(u *Unit) *int64 { return &u.Service.LogMaxBytes }, parseSize)},
	{"Service", "LogBackups", "integer", "10", "Rotated files kept; 0 keeps none.", "stdout_logfile_backups",
		setInt(func(u *Unit) *int { return &u.Service.LogBackups }, 0, 1<<20)},
	{"Service", "LogOverflow", "block|drop", "block", "When the log sink cannot keep up: block the program's writes (Supervisor's behaviour) or drop and count lines.", "–",
		setString(func(u *Unit) *string { return &u.Service.LogOverflow }, func(v string) error { _, err := journal.ParseOverflow(v); return err })},

	// [Install]
	{"Install", "WantedBy", "list of names", "–", "Any value (systemd's default.target is customary) enables the unit: the manager starts it when it starts.", "autostart",
		setList(func(u *Unit) *[]string { return &u.Install.WantedBy }, depName)},
	{"Install", "Alias", "list of unit names", "–", "Accepted so systemd units load unchanged; svunit does not use it.", "–",
		setList(func(u *Unit) *[]string { return &u.Install.Alias }, depName)},
}

// maxInstances bounds Instances= so a typo cannot fork a machine to death.
const maxInstances = 10000

func exitStatus(f func(*Unit) *ExitStatusSet) func(*builder, string) error {
	return func(b *builder, v string) error {
		if strings.TrimSpace(v) == "" {
			*f(b.u) = ExitStatusSet{}
			return nil
		}
		set, err := parseExitStatus(v)
		p := f(b.u)
		p.Codes = append(p.Codes, set.Codes...)
		p.Signals = append(p.Signals, set.Signals...)
		return err
	}
}

func groupName(v string) (string, error) {
	v = strings.TrimPrefix(v, "@")
	if !validGroupName(v) {
		return "", fmt.Errorf("%q is not a group name (use letters, digits and \":-_.\")", v)
	}
	return v, nil
}

// limitDirectives are the Limit*= rows, generated in a stable order.
func limitDirectives() []*directive {
	names := []string{"LimitCPU", "LimitFSIZE", "LimitDATA", "LimitSTACK", "LimitCORE", "LimitRSS", "LimitNOFILE", "LimitAS",
		"LimitNPROC", "LimitMEMLOCK", "LimitLOCKS", "LimitSIGPENDING", "LimitMSGQUEUE", "LimitNICE", "LimitRTPRIO", "LimitRTTIME"}
	var out []*directive
	for _, name := range names {
		typ := map[byte]string{'b': "size", 't': "time span (seconds)", 'u': "time span (µs)", 'n': "integer"}[rlimits[name]]
		sv := "–"
		if name == "LimitNOFILE" {
			sv = "minfds (supervisord-wide)"
		}
		if name == "LimitNPROC" {
			sv = "minprocs (supervisord-wide)"
		}
		out = append(out, &directive{"Service", name, typ + ", SOFT:HARD or infinity", "the manager's",
			"setrlimit(RLIMIT_" + strings.TrimPrefix(name, "Limit") + ") in the child.", sv,
			func(b *builder, v string) error {
				l, err := parseRlimit(name, v)
				if err != nil {
					return err
				}
				// A later assignment of the same limit replaces the earlier one.
				ls := b.u.Service.Limits[:0:0]
				for _, o := range b.u.Service.Limits {
					if o.Resource != l.Resource {
						ls = append(ls, o)
					}
				}
				b.u.Service.Limits = append(ls, l)
				return nil
			}})
	}
	return out
}

// byKey indexes the table by "Section.Name".
var byKey = func() map[string]*directive {
	m := map[string]*directive{}
	for _, d := range table {
		m[d.Section+"."+d.Name] = d
	}
	// Older systemd units carry the start limit in [Service]; accept it there.
	m["Service.StartLimitIntervalSec"] = m["Unit.StartLimitIntervalSec"]
	m["Service.StartLimitInterval"] = m["Unit.StartLimitIntervalSec"]
	m["Service.StartLimitBurst"] = m["Unit.StartLimitBurst"]
	return m
}()
