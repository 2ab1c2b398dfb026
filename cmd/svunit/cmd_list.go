package main

import (
	"context"
	"fmt"
	"os"
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
STATE (for example failed, running or FATAL).`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			state := fs.String("state", "", "only units in this state (active, failed, RUNNING, FATAL, …)")
			return func(g *globals, args []string) error {
				if err := checkPatterns(args); err != nil {
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

func filterState(ss []unitStatus, state string) []unitStatus {
	if state == "" {
		return ss
	}
	out := ss[:0]
	for _, s := range ss {
		if s.ActiveState == state || s.SubState == state || s.SupervisorState == state {
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
