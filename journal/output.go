package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// An Output is the captured output of one unit: the fds its children write
// to and the goroutines that copy them to their sinks. It lives as long as
// the unit is loaded, across restarts of its processes.
type Output struct {
	pid    atomic.Int64 // main pid of the current child, for syslog and journald
	stdout *stream      // nil when stdout is not piped (null, inherit)
	stderr *stream      // nil when stderr is not piped or shares stdout's pipe

	// Set by Open, read-only afterwards.
	outFile, errFile *os.File // the children's fd 1 and 2 (may be the same file)
	owned            []*os.File
	outPath, errPath string
	outSink, errSink string // the targets, as ParseTarget spells them

	closeOnce sync.Once
	closeErr  error // written once by Close
}

// StreamStatus is the state of one stream's sink.
type StreamStatus struct {
	Sink          string    // "append:/var/log/svunit/web.unit.stdout.log", "journal", "null"…
	Written       int64     // bytes delivered to the sink
	Dropped       int64     // bytes lost: sink failures, and the Drop policy
	Error         string    // the current failure; "" once a write has worked again
	LastError     string    // the most recent failure, kept after recovery
	LastErrorTime time.Time // when LastError happened
}

// Status is an Output's state, per stream. A merged stderr reports
// Sink "stdout" and no counts of its own.
type Status struct {
	Stdout, Stderr StreamStatus
}

// Open opens the sinks of cfg, makes the pipes and starts copying. The error
// names the file or socket that failed and what to do about it; on error
// nothing is left open.
func Open(cfg Config) (*Output, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	o := &Output{}
	var err error
	o.outFile, o.stdout, o.outPath, err = o.openStream(&cfg, cfg.Stdout, "stdout")
	if err != nil {
		o.Close()
		return nil, err
	}
	o.outSink = describe(cfg.Stdout, o.outPath)
	if cfg.Stderr.Kind == ToStdout {
		o.errFile, o.errSink = o.outFile, "stdout"
		return o, nil
	}
	o.errFile, o.stderr, o.errPath, err = o.openStream(&cfg, cfg.Stderr, "stderr")
	if err != nil {
		o.Close()
		return nil, err
	}
	o.errSink = describe(cfg.Stderr, o.errPath)
	return o, nil
}

// checkConfig validates cfg and settles stderr's meaning: inherit, or the
// same file as stdout, means stdout's pipe.
func checkConfig(cfg *Config) error {
	if cfg.Unit == "" || strings.ContainsRune(cfg.Unit, '/') || cfg.Unit == "." || cfg.Unit == ".." {
		return fmt.Errorf("journal: invalid unit name %q", cfg.Unit)
	}
	if cfg.Stdout.Kind == ToStdout {
		return fmt.Errorf("unit %s: stdout cannot be sent to itself; ToStdout is for stderr only", cfg.Unit)
	}
	for _, t := range []Target{cfg.Stdout, cfg.Stderr} {
		if t.Kind.hasPath() && !filepath.IsAbs(t.Path) {
			return fmt.Errorf("unit %s: log path %q is not absolute", cfg.Unit, t.Path)
		}
		if t.Kind == Default && cfg.LogDir == "" {
			return fmt.Errorf("unit %s: no log directory for the default log files", cfg.Unit)
		}
	}
	if cfg.Stderr.Kind == Inherit || cfg.Stderr.Kind.hasPath() && cfg.Stderr.Path == cfg.Stdout.Path && cfg.Stdout.Kind.hasPath() {
		cfg.Stderr.Kind = ToStdout
	}
	return nil
}

// describe spells a target for Status, with the path a default file got.
func describe(t Target, path string) string {
	if t.Kind == Default {
		return "append:" + path
	}
	return t.String()
}

// DefaultPath is the file a Default target of unit writes to in logDir:
// logDir/unit.stdout.log or logDir/unit.stderr.log.
func DefaultPath(logDir, unit, stream string) string {
	return filepath.Join(logDir, unit+"."+stream+".log")
}

// openStream opens one stream's sink and returns the file for the child's
// fd, the stream copying it (nil if none) and the log file's path ("" if the
// sink is not a regular file).
func (o *Output) openStream(cfg *Config, t Target, name string) (*os.File, *stream, string, error) {
	var f *os.File
	var err error
	switch t.Kind {
	case Null:
		f, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	case Inherit:
		f, err = dupFile(os.Stdout)
	}
	if f != nil || err != nil {
		if err != nil {
			return nil, nil, "", fmt.Errorf("unit %s: %s for %s: %w", cfg.Unit, t.Kind, name, err)
		}
		o.owned = append(o.owned, f)
		return f, nil, "", nil
	}
	snk, path, err := o.openSink(cfg, t, name)
	if err != nil {
		return nil, nil, "", fmt.Errorf("unit %s: %w", cfg.Unit, err)
	}
	st, err := newStream(snk, cfg.Overflow)
	if err != nil {
		snk.close()
		return nil, nil, "", fmt.Errorf("unit %s: pipe for %s: %w", cfg.Unit, name, err)
	}
	return st.w, st, path, nil
}

// openSink opens the sink of a piped target and returns the path of its
// regular file, if it has one.
func (o *Output) openSink(cfg *Config, t Target, name string) (sink, string, error) {
	stderr := name == "stderr"
	switch t.Kind {
	case Syslog:
		s, err := newSyslogSink(cfg, stderr, &o.pid)
		return s, "", err
	case Journal:
		s, err := newJournalSink(cfg, stderr, &o.pid)
		return s, "", err
	case Default:
		if err := os.MkdirAll(cfg.LogDir, 0o755); err != nil {
			return nil, "", fmt.Errorf("cannot create log directory: %w", err)
		}
		t.Path = DefaultPath(cfg.LogDir, cfg.Unit, name)
	case Append, File, Truncate:
	default:
		return nil, "", fmt.Errorf("%s: unsupported sink %v", name, t.Kind)
	}
	s, err := openFileSink(t.Path, t.Kind, cfg.MaxBytes, cfg.Backups)
	if err != nil {
		return nil, "", err
	}
	if !s.regular {
		return s, "", nil // a FIFO or device: nothing for Tail to read
	}
	return s, t.Path, nil
}

// dupFile returns a close-on-exec duplicate of f that the Output owns.
func dupFile(f *os.File) (*os.File, error) {
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// Files returns the write ends for the child's fd 1 and 2. They belong to
// the Output: the manager passes them to every child it starts and never
// closes them. They are the same file when stderr is merged into stdout.
func (o *Output) Files() (stdout, stderr *os.File) { return o.outFile, o.errFile }

// SetPID records the unit's current main pid for syslog's and journald's
// fields; 0 when no process runs.
func (o *Output) SetPID(pid int) { o.pid.Store(int64(pid)) }

// Paths returns the log files of stdout and stderr, "" for a stream whose
// sink is not a regular file. A merged stderr returns stdout's path.
func (o *Output) Paths() (stdout, stderr string) {
	if o.stderr == nil && o.errSink == "stdout" {
		return o.outPath, o.outPath
	}
	return o.outPath, o.errPath
}

// Reopen closes and reopens the log files, for logrotate's move-and-signal
// (SIGHUP or svunit reload). Sinks that are not files are left alone.
func (o *Output) Reopen() error {
	return o.eachFile((*fileSink).reopen)
}

// Rotate rotates the log files now, at a line boundary as on size
// (svunit logs --rotate).
func (o *Output) Rotate() error {
	return o.eachFile((*fileSink).rotateAtLine)
}

// eachFile runs fn on each stream's file sink under that stream's lock.
// Streams whose sink is not a regular file are skipped without taking the
// lock, so that a write stuck on a FIFO or a hung syslog daemon never
// blocks a reload.
func (o *Output) eachFile(fn func(*fileSink) error) error {
	var errs []error
	for _, s := range []*stream{o.stdout, o.stderr} {
		if s == nil || !s.regularFile {
			continue
		}
		if err := s.withSink(func(snk sink) error { return fn(snk.(*fileSink)) }); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Status returns the accounts of both streams. It never waits for a sink.
func (o *Output) Status() Status {
	var st Status
	if o.stdout != nil {
		st.Stdout = o.stdout.status()
	}
	if o.stderr != nil {
		st.Stderr = o.stderr.status()
	}
	st.Stdout.Sink, st.Stderr.Sink = o.outSink, o.errSink
	return st
}

// Close stops copying once the unit is gone: it closes the children's fds,
// copies what the pipes still hold (waiting up to a second for processes
// that keep a copy of them), flushes partial lines and closes the sinks.
// Later calls return the first call's result.
func (o *Output) Close() error {
	o.closeOnce.Do(func() {
		var errs []error
		streams := slices.DeleteFunc([]*stream{o.stdout, o.stderr}, func(s *stream) bool { return s == nil })
		for _, s := range streams {
			s.stop() // both first, so the grace periods overlap
		}
		for _, s := range streams {
			errs = append(errs, s.close())
		}
		for _, f := range o.owned {
			errs = append(errs, f.Close())
		}
		o.closeErr = errors.Join(errs...)
	})
	return o.closeErr
}
