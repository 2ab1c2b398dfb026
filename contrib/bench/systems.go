//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// A prog is one program, configured the same way on every manager.
type prog struct {
	Name       string
	Argv       []string
	StartSecs  int           // seconds up before it counts as RUNNING
	Autostart  bool          // started with the manager
	Restart    bool          // restarted at once whenever it exits (else only on failure)
	StopWait   time.Duration // from the stop signal to SIGKILL; 0 is the default, 10 s
	Log        string        // stdout into this file, rotated; "" is the manager's default files
	LogMax     int64         // rotate beyond this size
	LogBackups int           // rotated files kept
}

// A system is a supervisor under test.
type system interface {
	name() string
	// api is nil when the system has an API and a command-line client that
	// drive its programs one by one, and else an *naError saying so: the
	// workloads that need them skip the system without launching it.
	api() error
	// launch writes the configuration of progs under dir and starts the
	// manager; it returns once the manager has started (and its API
	// answers, when it has one), not once the programs run.
	launch(ctx context.Context, dir string, progs []prog) (instance, error)
}

// An instance is one running manager. Methods a manager cannot serve return
// an *naError saying why.
type instance interface {
	// pid is the manager's process; its programs are its descendants.
	pid() proc
	// own lists the processes whose memory and CPU count as the manager's
	// (s6-supervise and runsv too, not the programs).
	own() ([]proc, error)
	// running counts the programs the manager's own status calls RUNNING.
	running(ctx context.Context) (int, error)
	// cli runs the manager's command-line client with args (start all,
	// stop all, status) and waits for it.
	cli(ctx context.Context, args ...string) error
	// info fetches one program's state over the manager's API.
	info(ctx context.Context, name string) error
	// startStop starts a stopped program through the API and stops it at
	// once, waits until it stopped, and says whether that took SIGKILL.
	startStop(ctx context.Context, name string) (killed bool, err error)
	// terminate sends the manager SIGTERM, its own shutdown.
	terminate() error
	// exited is closed when the manager process has exited and been reaped.
	exited() <-chan struct{}
	// close kills the manager and everything below it, and reaps them.
	close() error
}

// An naError says why a system cannot take a measure; the table shows it
// as "n/a: …" in place of a number.
type naError struct{ why string }

func (e *naError) Error() string { return "n/a: " + e.why }

func na(format string, args ...any) error { return &naError{fmt.Sprintf(format, args...)} }

func isNA(err error) (string, bool) {
	var e *naError
	if errors.As(err, &e) {
		return e.why, true
	}
	return "", false
}

// safeWord matches the words the harness puts in command lines: paths and
// numbers, which need no quoting in either Supervisor's (shlex) or
// systemd's command syntax.
var safeWord = regexp.MustCompile(`^[A-Za-z0-9_./=:+,-]+$`)

// commandLine joins argv for a configuration file.
func commandLine(argv []string) (string, error) {
	for _, w := range argv {
		if !safeWord.MatchString(w) {
			return "", fmt.Errorf("command word %q needs quoting; run the harness from a path of letters, digits and ./_-", w)
		}
	}
	return strings.Join(argv, " "), nil
}

// runTool runs argv to its end, within ctx, and returns an error with the
// end of its output when it fails; the exit statuses in exitOK are not
// failures.
func runTool(ctx context.Context, argv []string, exitOK ...int) error {
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if _, err := startCmd(c); err != nil {
		return err
	}
	err := waitCmd(c)
	if ee, ok := err.(*exec.ExitError); ok && slices.Contains(exitOK, ee.ExitCode()) {
		return nil
	}
	if err != nil {
		args := append([]string{filepath.Base(argv[0])}, argv[1:]...)
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, lastLines(out.String(), 8))
	}
	return nil
}

// statusExitOK are the exit statuses of a CLI's args that are not
// failures: status exits 3 when a program is not running, in supervisorctl
// as in systemctl.
func statusExitOK(args []string) []int {
	if len(args) > 0 && args[0] == "status" {
		return []int{3}
	}
	return nil
}

// lastLines returns the last n lines of s, joined with " / ".
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

// waitFor polls cond every interval until it returns true, an error, or
// the deadline passes; what names the condition in the timeout error.
func waitFor(ctx context.Context, within, interval time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(within)
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		if _, isna := isNA(err); isna {
			return err
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("timed out after %v waiting for %s (last error: %v)", within, what, last)
			}
			return fmt.Errorf("timed out after %v waiting for %s", within, what)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
