package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
)

// globals are the flags every verb accepts, before or after the verb.
type globals struct {
	units  string // unit directory; "" means the default for this manager
	bus    string // bus socket path; "" means the default for this manager
	output string // "text" or "json"
	quiet  bool
	user   bool // force the per-user paths even as root
	system bool // force the system paths even as a normal user

	hosts      string   // -H: run the verb on these hosts over ssh (remote.go)
	sshOptions []string // --ssh-option: passed to ssh
	viaSSH     string   // hidden --via-ssh: this process is -H's child for one host
}

var globalFlagNames = map[string]bool{
	"units": true, "bus": true, "output": true, "quiet": true, "user": true, "system": true, "help": true,
	"host": true, "ssh-option": true, "via-ssh": true,
}

func isGlobalFlag(name string) bool { return globalFlagNames[name] }

func (g *globals) bind(fs *pflag.FlagSet) {
	if fs.Lookup("units") != nil {
		return
	}
	fs.StringVar(&g.units, "units", g.units, "unit directory (default $SVUNIT_UNITS, else /etc/svunit/units as root, $XDG_CONFIG_HOME/svunit/units otherwise)")
	fs.StringVar(&g.bus, "bus", g.bus, "the manager's bus socket (default $SVUNIT_BUS, else /run/svunit/bus as root, $XDG_RUNTIME_DIR/svunit/bus otherwise)")
	fs.StringVarP(&g.output, "output", "o", g.output, "output format: text or json")
	fs.BoolVarP(&g.quiet, "quiet", "q", g.quiet, "print only errors")
	fs.BoolVar(&g.user, "user", g.user, "use the per-user manager's paths, even as root")
	fs.BoolVar(&g.system, "system", g.system, "use the system manager's paths, even as another user")
	fs.StringVarP(&g.hosts, "host", "H", g.hosts, "run on [USER@]HOST[:PORT][,HOST…] over ssh, in parallel, each line labelled with its host")
	fs.StringArrayVar(&g.sshOptions, "ssh-option", g.sshOptions, "with -H: pass to ssh, as -o OPTION (or as is when it starts with '-'); repeatable")
	fs.StringVar(&g.viaSSH, "via-ssh", g.viaSSH, "")
	fs.MarkHidden("via-ssh")
}

// newGlobals returns the globals' defaults, which help shows too.
func newGlobals() *globals { return &globals{output: "text"} }

// parseGlobals reads the global flags that come before the verb and returns
// the verb and its arguments.
func parseGlobals(argv []string) (*globals, []string, error) {
	g := newGlobals()
	fs := pflag.NewFlagSet("svunit", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(false)
	g.bind(fs)
	help := fs.BoolP("help", "h", false, "show help")
	version := fs.Bool("version", false, "print the version")
	if err := fs.Parse(argv); err != nil {
		return nil, nil, err
	}
	rest := fs.Args()
	switch {
	case *help:
		rest = append([]string{"help"}, rest...)
	case *version:
		rest = []string{"version"}
	}
	return g, rest, nil
}

func (g *globals) check() error {
	if g.output != "text" && g.output != "json" {
		return fmt.Errorf("--output %q: want text or json", g.output)
	}
	if g.user && g.system {
		return fmt.Errorf("--user and --system exclude each other")
	}
	if g.hosts != "" && g.viaSSH == "" {
		return fmt.Errorf("-H goes before the verb: svunit -H HOST[,HOST…] VERB …")
	}
	return nil
}

// json reports whether the user asked for JSON output.
func (g *globals) json() bool { return g.output == "json" }

// printJSON writes v to stdout as indented JSON.
func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
