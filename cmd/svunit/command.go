package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// A command is one verb of the CLI. Each verb lives in its own file
// (cmd_VERB.go) and registers itself from init, so verbs can be added without
// touching a shared table.
type command struct {
	name     string
	synopsis string // arguments after the verb, e.g. "[-f] [-n N] UNIT"
	short    string // one line for 'svunit help'
	long     string // the body of 'svunit help VERB'
	hidden   bool   // left out of 'svunit help' (internal verbs)

	// setup binds the verb's flags on fs and returns the function that runs it
	// once fs has been parsed.
	setup func(fs *pflag.FlagSet) func(g *globals, args []string) error

	// rewrite, when set, turns habits from other tools into the verb's own
	// flags before they are parsed (kill -HUP into kill -s HUP).
	rewrite func(args []string) []string
}

var commands = map[string]*command{}

// register adds c to the verb table; it panics on a duplicate name because
// that is a programming error caught by any test run.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("svunit: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func lookup(name string) *command { return commands[name] }

// execute parses args (verb flags and global flags, in any order) and runs c.
func (c *command) execute(g *globals, args []string) error {
	fs := pflag.NewFlagSet("svunit "+c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runFn := c.setup(fs)
	g.bind(fs)
	help := fs.BoolP("help", "h", false, "show this help")
	if c.rewrite != nil {
		args = c.rewrite(args)
	}
	if err := fs.Parse(args); err != nil {
		return usageErrorf("%v (see 'svunit %s --help')", err, c.name)
	}
	if *help {
		c.printHelp(os.Stdout, fs)
		return nil
	}
	if err := g.check(); err != nil {
		return usageErrorf("%v", err)
	}
	return runFn(g, fs.Args())
}

func (c *command) printHelp(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "%s\n\n%s\n", c.synopsisLine(), c.short)
	if c.long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.long))
	}
	local := pflag.NewFlagSet("", pflag.ContinueOnError)
	global := pflag.NewFlagSet("", pflag.ContinueOnError)
	fs.VisitAll(func(f *pflag.Flag) {
		if isGlobalFlag(f.Name) {
			global.AddFlag(f)
		} else {
			local.AddFlag(f)
		}
	})
	if local.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", flagUsages(local))
	}
	fmt.Fprintf(w, "\nGlobal flags:\n%s", flagUsages(global))
}

// helpSections group the verbs in 'svunit help' by what people come to
// do; a verb in none of them is listed under "Other commands".
var helpSections = []struct {
	title string
	verbs []string
}{
	{"Control units", []string{"start", "stop", "restart", "reload-or-restart", "kill", "reset-failed"}},
	{"See what runs", []string{"status", "list", "logs", "events"}},
	{"Unit files", []string{"reload", "verify", "cat", "import"}},
	{"The manager", []string{"daemon", "install-service", "uninstall-service", "service-status", "generate"}},
}

// visibleCommands returns the names of the verbs 'svunit help' lists, sorted.
func visibleCommands() []string {
	names := make([]string, 0, len(commands))
	for name, c := range commands {
		if !c.hidden {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: svunit [global flags] COMMAND [ARGS]\n\n")
	fmt.Fprintf(w, "svunit supervises programs described by systemd-style unit files.\n")
	listed := map[string]bool{}
	for _, s := range helpSections {
		fmt.Fprintf(w, "\n%s:\n", s.title)
		for _, name := range s.verbs {
			if c := lookup(name); c != nil && !c.hidden {
				fmt.Fprintf(w, "  %-18s %s\n", name, c.short)
				listed[name] = true
			}
		}
	}
	fmt.Fprintf(w, "\nOther commands:\n")
	for _, name := range visibleCommands() {
		if !listed[name] {
			fmt.Fprintf(w, "  %-18s %s\n", name, commands[name].short)
		}
	}
	fs := pflag.NewFlagSet("", pflag.ContinueOnError)
	newGlobals().bind(fs)
	fs.BoolP("help", "h", false, "show this help")
	fs.Bool("version", false, "print svunit's version")
	fmt.Fprintf(w, "\nGlobal flags:\n%s", flagUsages(fs))
	fmt.Fprintf(w, "\nRun 'svunit help COMMAND' or 'svunit COMMAND --help' for details.\n")
	fmt.Fprintf(w, "Coming from supervisorctl? tail is logs, signal is kill, reread and update are\nreload; see docs/from-supervisor.md.\n")
}

// suggestCommand returns ` (did you mean "x"?)` for a mistyped verb, or "".
// A unique verb that name begins ("stat" for status) wins; otherwise the
// nearest verb within one edit (two for longer names), ties going to the first in sorted order so
// the same typo always gets the same answer.
func suggestCommand(name string) string {
	names := visibleCommands()
	var prefixed []string
	for _, c := range names {
		if len(name) >= 3 && strings.HasPrefix(c, name) {
			prefixed = append(prefixed, c)
		}
	}
	// One edit is a typo in any name; two only in a longer one, or every
	// short word would "mean" some verb.
	best, bestDist := "", 2+len(name)/6
	if len(prefixed) == 1 {
		best = prefixed[0]
	} else {
		for _, c := range names {
			if d := editDistance(name, c); d < bestDist {
				best, bestDist = c, d
			}
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the optimal string alignment distance between a and b:
// Levenshtein's, with a swap of two adjacent letters counting as one edit,
// the commonest typo ("stauts").
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
