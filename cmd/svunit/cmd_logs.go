package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/pflag"

	"svunit.dev/svunit/bus/api"
	"svunit.dev/svunit/journal"
)

func init() {
	register(&command{
		name:     "logs",
		synopsis: "[-f] [-n N] [--stderr] [--rotate] UNIT|@GROUP|FILE...",
		short:    "Show units' output, and follow it (supervisorctl tail)",
		long: `
Prints the last N lines a unit wrote to its log file (supervisorctl tail),
then with -f every new line as it comes, across rotations (tail -F). With
several units or a group, each line starts with the unit's name.

The daemon says where each unit's output goes. When it cannot be reached,
logs reads the default file LOGDIR/UNIT.stdout.log (or .stderr.log) of the
log directory this manager uses; an argument with a slash is read as a file.

For StandardOutput=journal, logs runs journalctl -o cat SVUNIT_UNIT=UNIT
with the same -n and -f (-o json with --output json). Output that goes to
syslog, to the manager's own output (inherit) or to null cannot be shown:
logs says where it went.

With -H, -f long-polls the daemon for new lines, since the file
descriptor it hands out locally cannot cross ssh.

--rotate asks the daemon to rotate the units' log files now, at a line
boundary, as it does when a file reaches LogMaxBytes=.

With --output json each line is an object {"unit", "stream", "line"}.

Exit status: 0, 1 when a log cannot be read, 4 when a unit does not exist,
5 when the daemon cannot be reached and no default log file exists.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			var o logsOptions
			fs.BoolVarP(&o.follow, "follow", "f", false, "keep printing lines as they are written, across rotations")
			fs.IntVarP(&o.lines, "lines", "n", 10, "number of last lines to print first")
			fs.BoolVar(&o.stderr, "stderr", false, "show standard error instead of standard output")
			fs.BoolVar(&o.rotate, "rotate", false, "rotate the units' log files now instead of printing them")
			return func(g *globals, args []string) error {
				if len(args) == 0 {
					return usageErrorf("logs needs a unit, a @group or a file (see 'svunit logs --help')")
				}
				if o.lines < 0 {
					return usageErrorf("--lines %d: want 0 or more", o.lines)
				}
				if n := len(args); n > 1 && (args[n-1] == "stderr" || args[n-1] == "stdout") {
					// supervisorctl's 'tail web stderr'
					return usageErrorf("%q names a stream, not a unit: write 'svunit logs --stderr UNIT' for standard error (standard output is the default)", args[n-1])
				}
				if o.rotate {
					return rotateLogs(g, args)
				}
				return runLogs(g, args, o)
			}
		},
	})
}

type logsOptions struct {
	follow, stderr, rotate bool
	lines                  int
}

// A logSource is one stream of one unit: a file to read, or the sink it
// goes to instead.
type logSource struct {
	Unit   string // "web.unit"; the file's name for a FILE argument
	Stream string // "stdout" or "stderr"
	Path   string // the log file; "" when Sink is not a file
	Sink   string // the StandardOutput=/StandardError= value: "journal", "syslog", "null"…

	Daemonless bool // found without the daemon: a FILE argument or a default file
}

func (o logsOptions) stream() string {
	if o.stderr {
		return "stderr"
	}
	return "stdout"
}

func runLogs(g *globals, args []string, o logsOptions) error {
	srcs, c, err := resolveLogs(g, args, o.stream())
	if err != nil {
		return err
	}
	if c != nil {
		defer c.Close()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(srcs) == 1 && srcs[0].Sink == "journal" {
		return execJournalctl(srcs[0], o, g.json())
	}
	// Of several units, those whose output is not in a file are named and
	// skipped.
	files := slices.DeleteFunc(slices.Clone(srcs), func(s logSource) bool { return s.Path == "" })
	for _, s := range srcs {
		if s.Path == "" {
			err = fmt.Errorf("%s's %s is not written to a file (%s)", s.Unit, s.Stream, describeSink(s))
			if len(files) > 0 {
				fmt.Fprintf(os.Stderr, "svunit logs: %v\n", err)
			}
		}
	}
	if len(files) == 0 {
		return err
	}
	out := newLineOutput(os.Stdout, g.json(), len(srcs) > 1)
	srcs = files
	if !o.follow {
		for _, s := range srcs {
			lines, err := tailSource(ctx, g, c, s, o.lines)
			if err != nil {
				return fmt.Errorf("%s: %w", s.Unit, err)
			}
			for _, l := range lines {
				out.line(s, l)
			}
		}
		return nil
	}
	return followAll(ctx, srcs, func(ctx context.Context, s logSource) error {
		return followSource(ctx, g, c, s, o.lines, out.writer(s))
	})
}

// readLocally reports whether s's file is read here rather than through the
// daemon: not under -H, and not forbidden to this user.
func readLocally(g *globals, c *client, s logSource) bool {
	if c == nil || s.Daemonless {
		return true
	}
	if g.viaSSH != "" {
		return false
	}
	f, err := os.Open(s.Path)
	if err == nil {
		f.Close()
	}
	// A missing file is missing for the daemon too; only a file this user
	// may not read is read through the daemon.
	return !errors.Is(err, os.ErrPermission)
}

func tailSource(ctx context.Context, g *globals, c *client, s logSource, n int) ([]string, error) {
	if readLocally(g, c, s) {
		lines, err := journal.Tail(s.Path, n)
		if errors.Is(err, os.ErrNotExist) && !s.Daemonless {
			return nil, nil // the unit has not written anything yet
		}
		return lines, err
	}
	return c.tailLog(ctx, s.Unit, s.Stream, n)
}

func followSource(ctx context.Context, g *globals, c *client, s logSource, n int, w io.Writer) error {
	if readLocally(g, c, s) {
		return journal.FollowLines(ctx, s.Path, n, w)
	}
	// FollowLog's reply carries a descriptor, which cannot cross ssh (-H)
	// or a connection that did not negotiate descriptors.
	if g.viaSSH != "" || !c.call.SupportsUnixFDs() {
		return c.followLogPolled(ctx, s.Unit, s.Stream, n, w)
	}
	return c.followLog(ctx, s.Unit, s.Stream, n, w)
}

// followAll runs follow for every source at once until ctx is done or one
// fails.
func followAll(ctx context.Context, srcs []logSource, follow func(context.Context, logSource) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(srcs))
	for _, s := range srcs {
		go func() {
			err := follow(ctx, s)
			if err != nil {
				err = fmt.Errorf("%s: %w", s.Unit, err)
			}
			errs <- err
		}()
	}
	var first error
	for range srcs {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// describeSink says where output that is not in a file went.
func describeSink(s logSource) string {
	switch s.Sink {
	case "journal":
		return "it goes to the journal: run 'svunit logs " + s.Unit + "' alone, or journalctl SVUNIT_UNIT=" + s.Unit
	case "syslog":
		return "it goes to syslog; look in your syslog daemon's files"
	case "null":
		return "it is discarded: StandardOutput=null"
	case "inherit":
		return "it goes to the manager's own output"
	case "":
		return "the daemon did not say where it goes"
	}
	return "it goes to " + s.Sink
}

// execJournalctl replaces svunit with journalctl showing one unit's lines:
// the messages alone, as for a file, or journalctl's JSON entries.
func execJournalctl(s logSource, o logsOptions, asJSON bool) error {
	path, err := exec.LookPath("journalctl")
	if err != nil {
		return fmt.Errorf("%s's %s goes to the journal, but journalctl is not installed", s.Unit, s.Stream)
	}
	format := "cat"
	if asJSON {
		format = "json"
	}
	argv := []string{"journalctl", "--no-pager", "-o", format, "-n", strconv.Itoa(o.lines), "SVUNIT_UNIT=" + s.Unit, "SVUNIT_STREAM=" + s.Stream}
	if o.follow {
		argv = append(argv, "-f")
	}
	return syscall.Exec(path, argv, os.Environ())
}

// resolveLogs finds the log of stream for each argument: through the daemon
// when it answers (the client is returned, for reading through it), else in
// the default log directory.
func resolveLogs(g *globals, args []string, stream string) ([]logSource, *client, error) {
	var srcs []logSource
	var names []string
	for _, a := range args {
		if strings.ContainsRune(a, '/') {
			srcs = append(srcs, logSource{Unit: filepath.Base(a), Stream: stream, Path: a, Daemonless: true})
		} else {
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		return srcs, nil, nil
	}
	c, err := g.connect()
	if err != nil {
		local, lerr := localLogs(g, names, stream)
		if lerr != nil {
			return nil, nil, &exitError{code: exitNotLoaded, err: fmt.Errorf("%v; and %v", lerr, err)}
		}
		return append(srcs, local...), nil, nil
	}
	ss, err := c.statuses(context.Background(), names)
	if err != nil {
		c.Close()
		if isNoSuchUnit(err) {
			return nil, nil, &exitError{code: exitNoSuchUnit, err: err}
		}
		return nil, nil, err
	}
	for _, s := range ss {
		srcs = append(srcs, c.logSourceOf(s, stream))
	}
	return srcs, c, nil
}

// logSourceOf says where s's stream goes: its file, or else its sink.
func (c *client) logSourceOf(s unitStatus, stream string) logSource {
	src := logSource{Unit: s.Name, Stream: stream, Path: s.Stdout}
	prop := "StandardOutput"
	if stream == "stderr" {
		src.Path, prop = s.Stderr, "StandardError"
	}
	if src.Path == "" {
		p, err := c.sd.GetUnitTypePropertyContext(context.Background(), s.Name, "Service", prop)
		if err == nil {
			src.Sink, _ = p.Value.Value().(string)
		}
	}
	return src
}

// localLogs finds the default log files of names without the daemon.
func localLogs(g *globals, names []string, stream string) ([]logSource, error) {
	dir := g.paths().LogDir
	var srcs []logSource
	for _, n := range names {
		if strings.HasPrefix(n, "@") {
			return nil, fmt.Errorf("group %s: the daemon is needed to know its units", n)
		}
		found := false
		for _, unit := range []string{n, n + ".unit", n + ".service"} {
			p := journal.DefaultPath(dir, unit, stream)
			if hasLogFile(dir, unit) {
				srcs, found = append(srcs, logSource{Unit: unit, Stream: stream, Path: p, Daemonless: true}), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no log file for %s in %s", n, dir)
		}
	}
	return srcs, nil
}

// hasLogFile reports whether unit has a default log file in dir, of either
// stream: a stream's file is created on its first byte, so a unit that
// wrote only to stdout has no stderr file, which then reads as empty.
func hasLogFile(dir, unit string) bool {
	for _, stream := range []string{"stdout", "stderr"} {
		if _, err := os.Stat(journal.DefaultPath(dir, unit, stream)); err == nil {
			return true
		}
	}
	return false
}

// rotateLogs asks the daemon to rotate the units' log files now.
func rotateLogs(g *globals, args []string) error {
	c, err := g.connect()
	if err != nil {
		return err
	}
	defer c.Close()
	obj := c.call.Object(api.SvunitName, api.ManagerPath)
	call := obj.CallWithContext(context.Background(), "io.svunit1.Manager.RotateLogs", 0, args)
	if isUnknownMethod(call.Err) {
		return errors.New("this daemon cannot rotate logs on demand (it has no io.svunit1.Manager.RotateLogs); use LogMaxBytes=, or logrotate and 'svunit reload'")
	}
	if err := callError(call.Err); err != nil {
		if isNoSuchUnit(err) {
			return &exitError{code: exitNoSuchUnit, err: err}
		}
		return fmt.Errorf("rotate: %w", err)
	}
	var rotated []string
	if err := call.Store(&rotated); err != nil {
		return fmt.Errorf("the daemon's reply to RotateLogs was not what this svunit expects (%v)", err)
	}
	if !g.quiet {
		for _, u := range rotated {
			fmt.Printf("%s: log files rotated\n", u)
		}
	}
	return nil
}

// isUnknownMethod reports whether err is D-Bus's UnknownMethod: a daemon
// older than this client.
func isUnknownMethod(err error) bool {
	var de dbus.Error
	if pe := (*dbus.Error)(nil); errors.As(err, &pe) {
		de = *pe
	} else if !errors.As(err, &de) {
		return false
	}
	return de.Name == api.ErrUnknownMethod
}

// lineOutput prints lines from several followers without mixing them,
// prefixed by the unit when there are several, or as JSON objects.
type lineOutput struct {
	mu     sync.Mutex // guards w
	w      io.Writer
	json   bool
	prefix bool
}

func newLineOutput(w io.Writer, asJSON, prefix bool) *lineOutput {
	return &lineOutput{w: w, json: asJSON, prefix: prefix}
}

func (o *lineOutput) line(s logSource, l string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case o.json:
		b, _ := json.Marshal(map[string]string{"unit": s.Unit, "stream": s.Stream, "line": l})
		fmt.Fprintf(o.w, "%s\n", b)
	case o.prefix:
		fmt.Fprintf(o.w, "%s: %s\n", s.Unit, l)
	default:
		fmt.Fprintln(o.w, l)
	}
}

// writer returns an io.Writer for journal.FollowLines, which writes whole
// lines only.
func (o *lineOutput) writer(s logSource) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		for _, l := range strings.SplitAfter(string(p), "\n") {
			if l != "" {
				o.line(s, strings.TrimSuffix(l, "\n"))
			}
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
