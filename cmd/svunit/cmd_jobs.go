package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/pflag"
)

// jobVerb describes one of the verbs that queue jobs.
type jobVerb struct {
	name, method, done, short string
}

var jobVerbs = []jobVerb{
	{"start", "StartUnits", "started", "Start units, @groups, all, or glob patterns"},
	{"stop", "StopUnits", "stopped", "Stop units, @groups, all, or glob patterns"},
	{"restart", "RestartUnits", "restarted", "Stop (if running) and start units"},
	{"reload-or-restart", "ReloadOrRestartUnits", "restarted", "Run ExecReload= where units have it; restart the others"},
}

const unitsHelp = `UNIT is a unit name (web.unit, or just web), @GROUP (the units with
Groups=GROUP), all, or a shell glob such as 'worker@*' (quote it). Units
start in dependency order (After=, Requires=), then by Priority=, lower
first; they stop in the reverse order.

The command waits until every job has finished and prints one line per
unit; with --no-block it returns once the jobs are queued. Exit status: 0
when every job succeeded, 1 when one failed, 5 when a unit or group does
not exist (see docs/cli.md).`

func init() {
	for _, v := range jobVerbs {
		register(&command{
			name:     v.name,
			synopsis: "[--no-block] UNIT|@GROUP|PATTERN|all...",
			short:    v.short,
			long:     unitsHelp,
			setup:    v.setup,
		})
	}
}

func (v jobVerb) setup(fs *pflag.FlagSet) func(*globals, []string) error {
	noBlock := fs.Bool("no-block", false, "return once the jobs are queued; do not wait for them")
	return func(g *globals, args []string) error {
		if len(args) == 0 {
			return usageErrorf("name at least one unit, @group, pattern or all (see 'svunit %s --help')", v.name)
		}
		if err := checkPatterns(args); err != nil {
			return err
		}
		c, err := g.connect()
		if err != nil {
			return err
		}
		defer c.Close()
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		outcomes, err := c.runJobs(ctx, v.method, args, !*noBlock)
		if err != nil {
			return err
		}
		return v.report(c, g, outcomes)
	}
}

// A jobOutcome is what became of one queued job.
type jobOutcome struct {
	Unit   string `json:"unit"`
	Job    uint32 `json:"job"`
	Result string `json:"result"`          // systemd's: done, failed, canceled, timeout, dependency, skipped; "queued" with --no-block
	Error  string `json:"error,omitempty"` // why it failed, when the unit says
}

// queuedJob is one a(uso) entry of io.svunit1's batch methods.
type queuedJob struct {
	ID   uint32
	Unit string
	Path dbus.ObjectPath
}

// runJobs calls an io.svunit1 batch method and, when wait is set, waits for
// each job's JobRemoved. It listens before calling, so no job can finish
// unseen.
func (c *client) runJobs(ctx context.Context, method string, patterns []string, wait bool) ([]jobOutcome, error) {
	var ch chan *dbus.Signal
	if wait {
		ch = make(chan *dbus.Signal, 1024)
		c.sig.Signal(ch)
		defer c.sig.RemoveSignal(ch)
	}
	var jobs []queuedJob
	if err := c.svunit(ctx, method, []any{&jobs}, patterns); err != nil {
		return nil, err
	}
	out := make([]jobOutcome, len(jobs))
	for i, j := range jobs {
		out[i] = jobOutcome{Unit: j.Unit, Job: j.ID, Result: "queued"}
	}
	if !wait {
		return out, nil
	}
	results, err := waitJobs(ctx, ch, jobs)
	for i, j := range jobs {
		if r, ok := results[j.Path]; ok {
			out[i].Result = r
		}
	}
	return out, err
}

// waitJobs collects JobRemoved results until every job in jobs has one.
func waitJobs(ctx context.Context, ch <-chan *dbus.Signal, jobs []queuedJob) (map[dbus.ObjectPath]string, error) {
	want := make(map[dbus.ObjectPath]bool, len(jobs))
	for _, j := range jobs {
		want[j.Path] = true
	}
	results := make(map[dbus.ObjectPath]string, len(jobs))
	for n := 0; n < len(want); {
		select {
		case s, ok := <-ch:
			if !ok {
				return results, &exitError{code: exitFailure, err: fmt.Errorf("lost the connection to the svunit daemon while waiting for %d %s", len(want)-n, plural(len(want)-n, "job", "jobs"))}
			}
			if s.Name != "org.freedesktop.systemd1.Manager.JobRemoved" || len(s.Body) != 4 {
				continue
			}
			p, _ := s.Body[1].(dbus.ObjectPath)
			r, _ := s.Body[3].(string)
			if want[p] && results[p] == "" {
				results[p] = r
				n++
			}
		case <-ctx.Done():
			return results, &exitError{code: exitFailure, err: fmt.Errorf("stopped waiting for %d %s; they go on in the daemon (see 'svunit status')", len(want)-n, plural(len(want)-n, "job", "jobs"))}
		}
	}
	return results, nil
}

// report prints the outcomes and returns exit status 1 when a job failed.
func (v jobVerb) report(c *client, g *globals, outcomes []jobOutcome) error {
	failed := 0
	for i := range outcomes {
		o := &outcomes[i]
		if o.Result != "done" && o.Result != "queued" && o.Result != "skipped" {
			failed++
			o.Error = c.whyFailed(o.Unit)
		}
	}
	if g.json() {
		if err := printJSON(outcomes); err != nil {
			return err
		}
	} else {
		for _, o := range outcomes {
			printOutcome(g, v, o)
		}
	}
	if failed > 0 {
		return exitCode(exitFailure)
	}
	return nil
}

func printOutcome(g *globals, v jobVerb, o jobOutcome) {
	switch o.Result {
	case "done":
		if !g.quiet {
			fmt.Printf("%s: %s\n", o.Unit, v.done)
		}
	case "queued", "skipped":
		if !g.quiet {
			fmt.Printf("%s: %s\n", o.Unit, o.Result)
		}
	default:
		msg := fmt.Sprintf("%s: %s %s", o.Unit, v.name, o.Result)
		if o.Error != "" {
			msg += ": " + o.Error
		}
		fmt.Fprintf(os.Stderr, "%s (see 'svunit status %s')\n", msg, o.Unit)
	}
}
