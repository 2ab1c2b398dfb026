package units

import (
	"syscall"
	"time"
)

// Infinity is the value of a time span set to "infinity" (TimeoutStopSec=infinity
// waits forever, RestartMaxDelaySec=infinity sets no cap).
const Infinity = time.Duration(1<<63 - 1)

// A Unit is one loaded program: a parsed, validated unit file (or one instance
// of a template), with defaults applied. A Unit is immutable once Load returns
// it; the manager holds it by pointer and compares versions with Equal.
type Unit struct {
	Name     string // "web.unit", "worker@2.unit"; always with its suffix
	Path     string // the file it came from: the template's for Instances=, else the instance file (often a symlink to it)
	Template string // "worker@.unit" for an instance, else ""
	Instance string // "2" for "worker@2.unit", else ""

	// [Unit]
	Description   string
	Documentation []string
	After         []string // unit names, suffix added when missing
	Before        []string
	Requires      []string
	Wants         []string
	Groups        []string // names without '@': Groups=backend makes the unit a member of @backend
	AllowUsers    []string // "alice:start,stop" grants; the loader checked the user exists and the verbs are known; bus/policy applies them
	AllowGroups   []string // "ops:all" grants for members of a unix group, checked likewise

	Service Service
	Install Install

	// DropInPaths are the drop-in files (NAME.unit.d/*.conf, and for an
	// instance TEMPLATE@.unit.d/*.conf) applied after Path, in order.
	DropInPaths []string

	// Lines maps "Section.Directive" to the line of its last assignment, so
	// later checks (by the manager or the importer) can point at the file;
	// Where says which file that line is in.
	Lines map[string]int

	dropInOf map[string]string // "Section.Directive" → the drop-in of its last assignment, when not Path
}

// Where returns the file and line of the last assignment of key
// ("Service.ExecStart"): Path or one of DropInPaths. The line is 0 when
// the directive is not set.
func (u *Unit) Where(key string) (file string, line int) {
	if f := u.dropInOf[key]; f != "" {
		return f, u.Lines[key]
	}
	return u.Path, u.Lines[key]
}

// Service holds the [Service] section.
type Service struct {
	Type          ServiceType
	ExecStart     []Command // exactly one, except Type=oneshot which allows several
	ExecStartPre  []Command
	ExecStartPost []Command
	ExecStop      []Command
	ExecReload    []Command
	PIDFile       string // Type=forking: where the daemon writes its main pid

	WorkingDirectory         string // "" means the user's home for User=, else the manager's cwd; "~" is the user's home; "-" prefix stripped, see WorkingDirectoryOptional
	WorkingDirectoryOptional bool
	User                     string // "" = the manager's own user
	Group                    string
	SupplementaryGroups      []string
	UMask                    *uint32  // nil = inherit the manager's
	Environment              []string // "KEY=value", in order; later wins
	EnvironmentFiles         []EnvironmentFile
	PassEnvironment          []string // names taken from the manager's environment
	Limits                   []Rlimit

	Restart                  RestartPolicy
	RestartSec               time.Duration // first delay before a restart after RUNNING
	RestartSteps             int           // growing delay: steps from RestartSec to RestartMaxDelaySec
	RestartMaxDelaySec       time.Duration
	SuccessExitStatus        ExitStatusSet // in addition to 0 and SIGHUP/INT/TERM/PIPE (systemd's clean set)
	RestartPreventExitStatus ExitStatusSet
	RestartForceExitStatus   ExitStatusSet
	StartSecs                time.Duration // Supervisor's startsecs: up this long → RUNNING
	StartRetries             int           // Supervisor's startretries: BACKOFF retries before FATAL
	StartLimitBurst          int           // systemd's start rate limit; 0 = off
	StartLimitInterval       time.Duration
	TimeoutStartSec          time.Duration // notify/forking/oneshot: how long to wait for readiness
	TimeoutStopSec           time.Duration // KillSignal → SIGKILL grace; Infinity = never SIGKILL
	KillSignal               syscall.Signal
	KillMode                 KillMode
	SendSIGKILL              bool
	Priority                 int // Supervisor's priority: lower starts first, stops last
	Instances                int // Supervisor's numprocs: a template with Instances=N yields @1…@N

	StandardOutput   string // journal.ParseTarget syntax; "" = svunit's default file
	StandardError    string // "" = svunit's default file; "inherit" = into stdout's sink (redirect_stderr)
	SyslogIdentifier string // default: the unit name without suffix
	SyslogFacility   string
	SyslogLevel      string
	SyslogErrorLevel string // level for stderr lines; default "err"
	SyslogFormat     string // "rfc3164" (default) or "rfc5424"
	LogMaxBytes      int64  // Supervisor's logfile_maxbytes
	LogBackups       int    // Supervisor's logfile_backups
	LogOverflow      string // "block" (default) or "drop"
}

// Install holds the [Install] section. A unit with WantedBy= is enabled: the
// manager starts it when it starts (Supervisor's autostart=true).
type Install struct {
	WantedBy []string
	Alias    []string
}

// Enabled reports whether the manager starts the unit at start-up.
func (u *Unit) Enabled() bool { return len(u.Install.WantedBy) > 0 }

// A Command is one Exec line, split by systemd's rules with specifiers
// resolved; environment variables are expanded at spawn time by Expand.
type Command struct {
	Argv          []string // Argv[0] is the path to run, after an '@' prefix was applied
	Argv0         string   // '@' prefix: the argv[0] the program sees; "" = Argv[0]
	IgnoreFailure bool     // '-' prefix: a failing exit status counts as success
	NoEnvExpand   bool     // ':' prefix: no $VAR expansion
	Line          int      // where it was written
	File          string   // the file Line is in: the unit's Path or a drop-in
}

// Where returns the file c was written in: a drop-in of u, or u's file.
func (c Command) Where(u *Unit) string {
	if c.File != "" {
		return c.File
	}
	return u.Path
}

// EnvironmentFile is one EnvironmentFile= entry.
type EnvironmentFile struct {
	Path     string
	Optional bool // '-' prefix: a missing file is not an error
}

// Rlimit is one Limit*= directive, applied with setrlimit in the child.
type Rlimit struct {
	Resource int    // syscall.RLIMIT_*
	Cur, Max uint64 // RLIM_INFINITY for "infinity"
}

// ServiceType is Type=.
type ServiceType string

const (
	Simple  ServiceType = "simple"  // running as soon as forked (then StartSecs applies)
	Exec    ServiceType = "exec"    // running once execve succeeded (then StartSecs applies)
	Oneshot ServiceType = "oneshot" // done when ExecStart exits successfully
	Forking ServiceType = "forking" // running when ExecStart's process exits and the daemon's pid is known
	Notify  ServiceType = "notify"  // running when the program sends READY=1 on NOTIFY_SOCKET
)

// RestartPolicy is Restart=, with systemd's values.
type RestartPolicy string

const (
	RestartNo         RestartPolicy = "no"
	RestartAlways     RestartPolicy = "always"
	RestartOnSuccess  RestartPolicy = "on-success"
	RestartOnFailure  RestartPolicy = "on-failure" // svunit's default: Supervisor's autorestart=unexpected
	RestartOnAbnormal RestartPolicy = "on-abnormal"
	RestartOnAbort    RestartPolicy = "on-abort"
	RestartOnWatchdog RestartPolicy = "on-watchdog"
)

// KillMode is KillMode=: who receives the stop signal.
type KillMode string

const (
	KillControlGroup KillMode = "control-group" // every process the unit started (svunit's default)
	KillMixed        KillMode = "mixed"         // KillSignal to the main process, SIGKILL to the rest
	KillProcess      KillMode = "process"       // the main process only
	KillNone         KillMode = "none"          // no signal; only ExecStop runs
)

// ExitStatusSet is a list of exit codes and signals, as in SuccessExitStatus=.
type ExitStatusSet struct {
	Codes   []int
	Signals []syscall.Signal
}

// HasCode reports whether code is in the set.
func (s ExitStatusSet) HasCode(code int) bool {
	for _, c := range s.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// HasSignal reports whether sig is in the set.
func (s ExitStatusSet) HasSignal(sig syscall.Signal) bool {
	for _, c := range s.Signals {
		if c == sig {
			return true
		}
	}
	return false
}
