package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	sddbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"svunit.dev/svunit/units"
)

func init() {
	register(&command{
		name:     "kill",
		synopsis: "[-s SIGNAL] [--kill-whom main|all] UNIT|@GROUP|PATTERN|all...",
		short:    "Send a signal to units' processes (supervisorctl signal)",
		long: `
Sends SIGNAL (default TERM; a name such as HUP or SIGUSR1, or a number) to
each unit's main process (--kill-whom main) or to every process it started
(all, the default). kill(1)'s spelling works too: svunit kill -HUP web,
svunit kill -9 web. Sending a signal is not a stop: a unit that exits
because of it is restarted as its Restart= says.

Exit status 0 when every unit was signalled, 4 when permission was refused
for every failed one, 1 for other failures, 5 when a unit or group does not
exist.`,
		rewrite: killStyleSignal,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			sigName := fs.StringP("signal", "s", "TERM", "the signal to send")
			whom := fs.String("kill-whom", "all", "main (the main process) or all (every process of the unit)")
			return func(g *globals, args []string) error { return runKill(g, args, *sigName, *whom) }
		},
	})
	register(&command{
		name:     "reset-failed",
		synopsis: "[UNIT|@GROUP|PATTERN|all...]",
		short:    "Forget units' failed state and restart counters",
		long: `
Moves failed units (FATAL, or EXITED with a failure) back to inactive and
resets their restart counters and start-rate limits, as systemctl
reset-failed. With no argument, every unit.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return func(g *globals, args []string) error {
				if len(args) == 0 {
					args = []string{"all"}
				}
				return eachUnit(g, args, func(ctx context.Context, c *client, name string) (string, error) {
					return "reset", c.sd.ResetFailedUnitContext(ctx, name)
				})
			}
		},
	})
}

// killStyleSignal turns kill(1)'s -HUP, -SIGUSR1 and -9 into -s HUP, -s
// SIGUSR1 and -s 9. Only upper-case names and numbers are taken, so that
// svunit's own short flags (-h, -q, -o…) and -H keep their meaning.
func killStyleSignal(args []string) []string {
	out := make([]string, 0, len(args)+1)
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if name, ok := strings.CutPrefix(a, "-"); ok && looksLikeSignal(name) {
			out = append(out, "-s", name)
			continue
		}
		out = append(out, a)
	}
	return out
}

// looksLikeSignal reports whether s is a signal written as kill(1) and
// Supervisor write it: a number, or an upper-case name (HUP, SIGUSR1).
func looksLikeSignal(s string) bool {
	if s == "" || strings.ToUpper(s) != s || s[0] == '-' {
		return false
	}
	_, err := units.ParseSignal(s)
	return err == nil
}

func runKill(g *globals, args []string, sigName, whom string) error {
	if len(args) == 0 {
		return usageErrorf("name at least one unit, @group, pattern or all (see 'svunit kill --help')")
	}
	if len(args) > 1 && looksLikeSignal(args[0]) {
		// supervisorctl's 'signal HUP web' order
		return usageErrorf("%q is a signal, not a unit: write 'svunit kill -s %s %s'", args[0], args[0], strings.Join(args[1:], " "))
	}
	sig, err := units.ParseSignal(sigName)
	if err != nil {
		return usageErrorf("--signal: %v", err)
	}
	if whom != "main" && whom != "all" {
		return usageErrorf("--kill-whom %q: want main or all", whom)
	}
	return eachUnit(g, args, func(ctx context.Context, c *client, name string) (string, error) {
		err := c.sd.KillUnitWithTarget(ctx, name, sddbus.Who(whom), int32(sig))
		return "sent " + unix.SignalName(sig), err
	})
}

// eachUnit resolves patterns through the daemon and runs do on each unit,
// printing "unit: what" or the error; one failure makes the exit status 1.
func eachUnit(g *globals, patterns []string, do func(context.Context, *client, string) (string, error)) error {
	if err := checkPatterns(patterns); err != nil {
		return err
	}
	c, err := g.connect()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	var names []string
	if err := c.svunit(ctx, "ResolveUnits", []any{&names}, patterns); err != nil {
		return err
	}
	type outcome struct {
		Unit  string `json:"unit"`
		Done  string `json:"done,omitempty"`
		Error string `json:"error,omitempty"`
	}
	var out []outcome
	code := 0 // the exit status: the failures' own when they agree, else 1
	for _, n := range names {
		what, err := do(ctx, c, n)
		o := outcome{Unit: n, Done: what}
		if err != nil {
			err = callError(err)
			// The daemon's message may name the unit too; say it once.
			o.Done, o.Error = "", strings.TrimPrefix(err.Error(), n+": ")
			code = agreeingExit(code, err)
		}
		out = append(out, o)
	}
	if g.json() {
		if err := printJSON(out); err != nil {
			return err
		}
	} else {
		for _, o := range out {
			if o.Error != "" {
				fmt.Fprintf(errOut, "%s: %s\n", o.Unit, o.Error)
			} else if !g.quiet {
				fmt.Printf("%s: %s\n", o.Unit, o.Done)
			}
		}
	}
	if code != 0 {
		return exitCode(code)
	}
	return nil
}

// agreeingExit folds the exit status err asks for into code, the status of
// the failures so far (0 for none): a status they all share, such as 4 when
// every unit refused permission, else 1.
func agreeingExit(code int, err error) int {
	c := exitFailure
	var ee *exitError
	if errors.As(err, &ee) {
		c = ee.code
	}
	if code != 0 && code != c {
		return exitFailure
	}
	return c
}
