package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"svunit.dev/svunit/compat/supervisord"
)

func init() {
	register(&command{
		name:     "import",
		synopsis: "SUPERVISORD.CONF [--dir DIR] [--dry-run] [--force]",
		short:    "Convert a Supervisor configuration into unit files",
		long: `Reads SUPERVISORD.CONF and the files its [include] section names, and
writes one unit file per [program:x] into the unit directory (--dir, else
--units, else the manager's default):

  [program:x]                 x.unit
  numprocs=N                  x@.unit with Instances=N (instances x@1 … x@N)
  [group:g] programs=x,y      Groups=g in x.unit and y.unit
  command, directory, user    ExecStart=, WorkingDirectory=, User=
  autostart=true              [Install] WantedBy=default.target
  autorestart, exitcodes      Restart=, SuccessExitStatus=
  stopsignal, stopwaitsecs    KillSignal=, TimeoutStopSec=
  stopasgroup, killasgroup    KillMode=control-group, KillMode=mixed
  stdout_logfile              StandardOutput=append:PATH|null|syslog
  stdout_logfile_maxbytes     LogMaxBytes=
  priority, startsecs         Priority=, StartSecs=
  startretries, umask         StartRetries=, UMask=
  environment                 Environment=

%(here)s, %(program_name)s, %(group_name)s, %(host_node_name)s and
%(ENV_X)s are expanded as Supervisor expands them (ENV_X from this shell's
environment, which is reported); %(process_num)s becomes the instance
specifier %i. Every option that cannot be carried over is printed as a
FILE:LINE warning on standard error. A configuration with errors writes
nothing; an existing unit file is not overwritten without --force.
See docs/from-supervisor.md.

Exit status: 0 when the units were written (warnings or not), 1 on errors.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			dir := fs.StringP("dir", "d", "", "write the units into DIR (default: the unit directory)")
			dry := fs.Bool("dry-run", false, "print the units on standard output instead of writing them")
			force := fs.Bool("force", false, "overwrite unit files that already exist")
			return func(g *globals, args []string) error {
				if len(args) != 1 {
					return usageErrorf("want one supervisord.conf, got %d arguments", len(args))
				}
				units, diags, err := supervisord.Convert(args[0], supervisord.Options{})
				for _, w := range diags.Warnings {
					if !g.quiet {
						fmt.Fprintf(os.Stderr, "%s: warning: %s\n", w.Pos, w.Message)
					}
				}
				var list *supervisord.Error
				if errors.As(err, &list) {
					for _, e := range list.List {
						fmt.Fprintf(os.Stderr, "%s\n", e)
					}
					return &exitError{code: exitFailure, err: fmt.Errorf("%d %s; nothing was written", len(list.List), plural(len(list.List), "error", "errors"))}
				}
				if err != nil {
					return err
				}
				out := pick(*dir, g.paths().Units)
				return writeImported(g, units, out, *dry, *force)
			}
		},
	})
}

// importedUnit is one line of 'svunit import -o json'.
type importedUnit struct {
	Unit string `json:"unit"`
	Path string `json:"path,omitempty"` // where it was written
	From string `json:"from"`           // FILE:LINE of its [program:x]
	Text string `json:"text,omitempty"` // with --dry-run: the unit file
}

// writeImported writes units into dir, all or nothing: it checks every
// target first, so an existing file stops the import before anything is
// written.
func writeImported(g *globals, units []supervisord.Unit, dir string, dry, force bool) error {
	report := make([]importedUnit, len(units))
	for i, u := range units {
		report[i] = importedUnit{Unit: u.Name, From: u.From.String()}
		if dry {
			report[i].Text = string(u.Text)
			if !g.json() {
				fmt.Printf("# %s\n%s\n", u.Name, u.Text)
			}
			continue
		}
		report[i].Path = filepath.Join(dir, u.Name)
		if _, err := os.Lstat(report[i].Path); err == nil && !force {
			return fmt.Errorf("%s exists; nothing was written (use --force to overwrite, or --dir elsewhere)", report[i].Path)
		}
	}
	if !dry {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for i, u := range units {
			if err := os.WriteFile(report[i].Path, u.Text, 0o644); err != nil {
				return fmt.Errorf("%v (units before it were written)", err)
			}
		}
	}
	switch {
	case g.json():
		return printJSON(report)
	case dry || g.quiet:
		return nil
	}
	for _, r := range report {
		fmt.Printf("%s  (from %s)\n", r.Path, r.From)
	}
	fmt.Printf("%d unit(s) written; check them with 'svunit verify %s', then load them into a running manager with 'svunit reload'\n", len(units), dir)
	return nil
}
