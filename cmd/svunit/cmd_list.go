package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:     "list",
		synopsis: "[--state STATE] [PATTERN...]",
		short:    "List units with their systemd and Supervisor states",
		long: `
Prints one line per unit: its name, systemd's ActiveState and SubState,
Supervisor's state, whether it starts with the daemon (enabled), its main
pid, and its description. PATTERN is a unit name, @GROUP, all, or a glob.
--state keeps units whose ActiveState, SubState or Supervisor state is
STATE, in any case (for example failed, running or fatal).`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			state := fs.String("state", "", "only units in this state (active, failed, RUNNING, FATAL, …)")
			return func(g *globals, args []string) error {
				if err := checkPatterns(args); err != nil {
					return err
				}
				if err := checkState(*state); err != nil {
					return err
				}
				c, err := g.connect()
				if err != nil {
					return err
				}
				defer c.Close()
				ss, err := c.statuses(context.Background(), args)
				if err != nil {
					return err
				}
				ss = filterState(ss, *state)
				if g.json() {
					return printJSON(ss)
				}
				return printList(ss, g.quiet)
			}
		},
	})
}

// unitStates are the values --state accepts: systemd's ActiveState and
// service SubState values (all of systemd's, so none svunit may report is
// missing) and Supervisor's states.
var unitStates = strings.Fields(`
	active reloading inactive failed activating deactivating maintenance refreshing
	dead condition start-pre start start-post running exited reload reload-signal
	reload-notify stop stop-watchdog stop-sigterm stop-sigkill stop-post
	final-watchdog final-sigterm final-sigkill dead-before-auto-restart
	failed-before-auto-restart dead-resources-pinned auto-restart
	auto-restart-queued cleaning
	STOPPED STARTING RUNNING BACKOFF STOPPING EXITED FATAL UNKNOWN`)

// checkState refuses a --state that no unit can ever be in, which would
// otherwise list nothing and look like "no unit is in trouble".
func checkState(state string) error {
	if state == "" || slices.ContainsFunc(unitStates, func(s string) bool { return strings.EqualFold(s, state) }) {
		return nil
	}
	return usageErrorf("--state %q is not a state: use an ActiveState (active, inactive, failed, activating, deactivating), a SubState (running, dead, auto-restart, stop-sigterm, …) or a Supervisor state (RUNNING, BACKOFF, FATAL, …)", state)
}

// filterState keeps the units whose ActiveState, SubState or Supervisor
// state is state, in any case: --state fatal means FATAL.
func filterState(ss []unitStatus, state string) []unitStatus {
	if state == "" {
		return ss
	}
	out := ss[:0]
	for _, s := range ss {
		if strings.EqualFold(s.ActiveState, state) || strings.EqualFold(s.SubState, state) || strings.EqualFold(s.SupervisorState, state) {
			out = append(out, s)
		}
	}
	return out
}

func printList(ss []unitStatus, quiet bool) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
	if !quiet {
		fmt.Fprintln(tw, "UNIT\tACTIVE\tSUB\tSTATE\tENABLED\tPID\tDESCRIPTION")
	}
	for _, s := range ss {
		pid, enabled := "-", "no"
		if s.MainPID != 0 {
			pid = fmt.Sprint(s.MainPID)
		}
		if s.Enabled {
			enabled = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.ActiveState, s.SubState, s.SupervisorState, enabled, pid, s.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !quiet {
		fmt.Printf("\n%d %s listed.\n", len(ss), plural(len(ss), "unit", "units"))
	}
	return nil
}
