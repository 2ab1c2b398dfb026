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
		short: "Apply changed unit files (supervisorctl reread and update)",
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
				return runReload(g)
			}
		},
	})
}

// reloadChange is one line of reload's report; its JSON form is documented
// in docs/cli.md.
type reloadChange struct {
	Unit   string `json:"unit"`
	Change string `json:"change"` // added, removed, changed
}

func runReload(g *globals) error {
	c, err := g.connect()
	if err != nil {
		return err
	}
	defer c.Close()
	var changes []reloadChange
	var problems string
	if err := c.svunit(context.Background(), "Reload", []any{&changes, &problems}); err != nil {
		return err
	}
	if changes == nil {
		changes = []reloadChange{}
	}
	switch {
	case g.json():
		out := struct {
			Changes  []reloadChange `json:"changes"`
			Problems string         `json:"problems,omitempty"`
		}{changes, problems}
		if err := printJSON(out); err != nil {
			return err
		}
	case !g.quiet:
		for _, ch := range changes {
			fmt.Printf("%s: %s\n", ch.Unit, ch.Change)
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
