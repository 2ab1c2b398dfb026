package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

// errOut is where verbs print per-unit errors.
var errOut = os.Stderr

func init() {
	register(&command{
		name:  "reload",
		short: "Re-read the unit files and apply the difference (supervisorctl update)",
		long: `
Asks the daemon to re-read its unit directory: added units load (and start
when enabled), removed units stop and unload, changed units restart if they
were running, and the others are left alone. Prints one line per change.
A unit file with errors is reported with file:line and skipped (the unit
keeps its old definition); the exit status is then 1.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return func(g *globals, args []string) error {
				if len(args) > 0 {
					return usageErrorf("reload takes no arguments")
				}
				c, err := g.connect()
				if err != nil {
					return err
				}
				defer c.Close()
				var changes []struct{ Unit, Change string }
				var problems string
				if err := c.svunit(context.Background(), "Reload", []any{&changes, &problems}); err != nil {
					return err
				}
				if g.json() {
					type change struct {
						Unit   string `json:"unit"`
						Change string `json:"change"`
					}
					out := struct {
						Changes  []change `json:"changes"`
						Problems string   `json:"problems,omitempty"`
					}{Changes: []change{}, Problems: problems}
					for _, c := range changes {
						out.Changes = append(out.Changes, change{c.Unit, c.Change})
					}
					if err := printJSON(out); err != nil {
						return err
					}
				} else if !g.quiet {
					for _, c := range changes {
						fmt.Printf("%s: %s\n", c.Unit, c.Change)
					}
					if len(changes) == 0 {
						fmt.Println("no changes")
					}
				}
				if problems != "" {
					return &exitError{code: exitFailure, err: fmt.Errorf("some unit files have errors and were skipped:\n%s", problems)}
				}
				return nil
			}
		},
	})
}
