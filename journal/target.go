package journal

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Kind is the kind of sink for one stream, named after systemd's
// StandardOutput= and StandardError= values.
type Kind int

const (
	// Default is svunit's own default (Supervisor's AUTO): a file per unit
	// and stream under Config.LogDir, rotated by size.
	Default Kind = iota
	// Append appends to Target.Path ("append:PATH").
	Append
	// File writes to Target.Path from its start without truncating it
	// ("file:PATH"), as systemd does.
	File
	// Truncate truncates Target.Path when the output is opened
	// ("truncate:PATH").
	Truncate
	// Null discards the stream: the child's fd is /dev/null ("null").
	Null
	// Inherit gives the child the manager's own fd ("inherit"). For stderr
	// it means what it means in systemd: the same sink as stdout, so an
	// inherited stderr behaves as ToStdout.
	Inherit
	// Journal sends each line to systemd-journald ("journal").
	Journal
	// Syslog sends each line to the local syslog socket ("syslog").
	Syslog
	// ToStdout merges stderr into stdout's pipe and sink (Supervisor's
	// redirect_stderr). Valid for stderr only; it has no unit-file spelling
	// of its own besides StandardError=inherit.
	ToStdout
)

var kindNames = [...]string{
	Default:  "default",
	Append:   "append",
	File:     "file",
	Truncate: "truncate",
	Null:     "null",
	Inherit:  "inherit",
	Journal:  "journal",
	Syslog:   "syslog",
	ToStdout: "stdout",
}

// String returns the directive spelling of k ("append", "journal", …).
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// hasPath reports whether a target of kind k names a file.
func (k Kind) hasPath() bool { return k == Append || k == File || k == Truncate }

// A Target is where one stream goes.
type Target struct {
	Kind Kind
	Path string // absolute file path, for Append, File and Truncate only
}

// String returns t in directive syntax, so that ParseTarget(t.String())
// returns t (Default gives "", ToStdout gives "inherit").
func (t Target) String() string {
	switch {
	case t.Kind == Default:
		return ""
	case t.Kind == ToStdout:
		return "inherit"
	case t.Kind.hasPath():
		return t.Kind.String() + ":" + t.Path
	}
	return t.Kind.String()
}

// ParseTarget parses a StandardOutput= or StandardError= value: "" (svunit's
// default file), "append:PATH", "file:PATH", "truncate:PATH", "null",
// "inherit", "journal" or "syslog". PATH must be absolute. The error says
// which values are accepted; the caller adds the file and line.
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, nil
	}
	if kind, path, ok := strings.Cut(s, ":"); ok {
		var t Target
		switch kind {
		case "append":
			t.Kind = Append
		case "file":
			t.Kind = File
		case "truncate":
			t.Kind = Truncate
		default:
			return Target{}, fmt.Errorf("output target %q: unknown kind %q; want append:PATH, file:PATH or truncate:PATH", s, kind)
		}
		if !filepath.IsAbs(path) {
			return Target{}, fmt.Errorf("output target %q: path %q is not absolute; write %s:/full/path", s, path, kind)
		}
		t.Path = filepath.Clean(path)
		return t, nil
	}
	switch s {
	case "null":
		return Target{Kind: Null}, nil
	case "inherit":
		return Target{Kind: Inherit}, nil
	case "journal":
		return Target{Kind: Journal}, nil
	case "syslog":
		return Target{Kind: Syslog}, nil
	case "journal+console", "syslog+console", "kmsg", "kmsg+console", "tty", "socket":
		return Target{}, fmt.Errorf("output target %q is not supported by svunit; use journal, syslog, null, inherit or append:PATH", s)
	}
	return Target{}, fmt.Errorf("unknown output target %q; want append:PATH, file:PATH, truncate:PATH, null, inherit, journal or syslog", s)
}

// Overflow says what happens to a stream when its sink cannot keep up or
// fails.
type Overflow int

const (
	// Block leaves unread data in the pipe, so a writer that fills it
	// blocks until the sink catches up (Supervisor's behaviour). A sink
	// that has failed (disk full, syslog gone) never blocks: its data is
	// dropped and counted until it works again.
	Block Overflow = iota
	// Drop keeps the pipe drained: what the sink cannot take right now is
	// dropped and counted in Status, so the writer never waits.
	Drop
)

// String returns "block" or "drop".
func (o Overflow) String() string {
	switch o {
	case Block:
		return "block"
	case Drop:
		return "drop"
	}
	return fmt.Sprintf("Overflow(%d)", int(o))
}

// ParseOverflow parses a LogOverflow= value: "block" or "drop" ("" is Block).
func ParseOverflow(s string) (Overflow, error) {
	switch strings.TrimSpace(s) {
	case "", "block":
		return Block, nil
	case "drop":
		return Drop, nil
	}
	return Block, fmt.Errorf("unknown overflow policy %q; want block or drop", s)
}

// Defaults of the unit-file directives. Config's zero values are literal
// (MaxBytes 0 never rotates), so the unit loader applies these.
const (
	DefaultMaxBytes     = 50 << 20 // Supervisor's logfile_maxbytes, 50MB (its MB is 1024×1024 bytes)
	DefaultBackups      = 10       // Supervisor's logfile_backups
	DefaultSyslogSocket = "/dev/log"
)

// Config describes the output of one unit.
type Config struct {
	Unit   string // unit name, e.g. "web.unit": default file names, syslog identifier fallback, SVUNIT_UNIT= field
	LogDir string // directory for Default targets: LogDir/<Unit>.stdout.log and LogDir/<Unit>.stderr.log

	Stdout, Stderr Target

	// MaxBytes rotates a file sink on a regular file when it would grow
	// beyond this size; 0 never rotates. The unit-file default is
	// DefaultMaxBytes, applied by the caller.
	MaxBytes int64
	// Backups is the number of rotated files kept (NAME.1 … NAME.N); 0
	// keeps none, so rotation truncates. The unit-file default is
	// DefaultBackups, applied by the caller.
	Backups int

	SyslogIdentifier string // default: Unit without its suffix
	SyslogFacility   string // "daemon" when empty; see ParseSyslogFacility
	SyslogLevel      string // priority of stdout lines, "info" when empty; see ParseSyslogLevel
	SyslogErrorLevel string // priority of stderr lines, "err" when empty
	SyslogSocket     string // default DefaultSyslogSocket
	SyslogFormat     string // "rfc3164" (default: what glibc's syslog(3) sends locally) or "rfc5424"; see ParseSyslogFormat

	Overflow Overflow
}

var syslogFacilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14, "solaris-cron": 15,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

var syslogLevels = map[string]int{
	"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5, "info": 6, "debug": 7,
}

// ParseSyslogFacility returns the number of a SyslogFacility= name (systemd's
// names: "daemon", "user", "local0"…); "" is "daemon".
func ParseSyslogFacility(s string) (int, error) {
	if s == "" {
		return syslogFacilities["daemon"], nil
	}
	if f, ok := syslogFacilities[s]; ok {
		return f, nil
	}
	return 0, fmt.Errorf("unknown syslog facility %q; want one of kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0…local7", s)
}

// ParseSyslogFormat checks a syslog message format: "rfc3164" (also "") or
// "rfc5424".
func ParseSyslogFormat(s string) (string, error) {
	switch s {
	case "", "rfc3164":
		return "rfc3164", nil
	case "rfc5424":
		return s, nil
	}
	return "", fmt.Errorf("unknown syslog format %q; want rfc3164 or rfc5424", s)
}

// ParseSyslogLevel returns the number of a SyslogLevel= name ("emerg" …
// "debug") or of a digit 0-7; "" gives def.
func ParseSyslogLevel(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	if l, ok := syslogLevels[s]; ok {
		return l, nil
	}
	if len(s) == 1 && s[0] >= '0' && s[0] <= '7' {
		return int(s[0] - '0'), nil
	}
	return 0, fmt.Errorf("unknown syslog level %q; want emerg, alert, crit, err, warning, notice, info or debug", s)
}
