package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"svunit.dev/svunit/units"
)

func init() {
	register(&command{
		name:     "verify",
		synopsis: "[FILE|DIR…]",
		short:    "Check unit files; report every error with its file:line",
		long: `Loads each FILE (a .unit or .service file) and each DIR (every unit file in
it) exactly as the manager would, without starting anything, and checks the
units against each other: unknown or misspelt directives, bad values, bad
quoting in ExecStart=, users and groups that do not exist, two units logging to
one file, dependency cycles. With no argument it checks the unit directory
(--units).

Every error is printed on standard error as FILE:LINE: Section.Directive:
message, all of them, not just the first. With -o json the errors are printed
on standard output as a list of {"file", "line", "section", "directive",
"message"} objects ([] when there are none).

Exit status: 0 when everything is valid (a one-line summary is printed, or
nothing with -q), 1 when there is any error.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return runVerify
		},
	})
}

// verifyError is the JSON form of one units.Error.
type verifyError struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Section   string `json:"section"`
	Directive string `json:"directive"`
	Message   string `json:"message"`
}

func runVerify(g *globals, args []string) error {
	if len(args) == 0 {
		dir := g.paths().Units
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return &exitError{code: exitFailure, err: fmt.Errorf("the unit directory %s does not exist: create it, or name unit files or directories (svunit verify FILE|DIR…), or pass --units DIR", dir)}
		}
		args = []string{dir}
	}
	loaded, errs := verifyLoad(args)
	if g.json() {
		out := make([]verifyError, 0, len(errs))
		for _, e := range errs {
			out = append(out, verifyError{e.File, e.Line, e.Section, e.Directive, e.Msg})
		}
		if err := printJSON(out); err != nil {
			return err
		}
	} else {
		for _, e := range errs {
			fmt.Fprintln(os.Stderr, e)
		}
	}
	if len(errs) > 0 {
		if !g.json() {
			fmt.Fprintf(os.Stderr, "%d %s\n", len(errs), plural(len(errs), "error", "errors"))
		}
		return exitCode(exitFailure)
	}
	if !g.quiet && !g.json() {
		fmt.Printf("%s: %d %s, no errors\n", strings.Join(args, ", "), loaded, plural(loaded, "unit", "units"))
	}
	return nil
}

// verifyLoad loads every argument, then checks all the units together, and
// returns how many units loaded cleanly and every error, sorted. A FILE is
// checked in the company of its directory's other units, so Requires= and
// shared log files are judged as the manager would judge them; only the
// errors of the arguments are returned.
func verifyLoad(args []string) (int, units.ErrorList) {
	var all []*units.Unit
	var errs units.ErrorList
	collect := func(err error) {
		var el units.ErrorList
		if errors.As(err, &el) {
			errs = append(errs, el...)
		} else if err != nil {
			errs.Add("", 0, "", "", err.Error())
		}
	}
	seen := map[string]bool{}
	fileDirs := map[string]bool{}
	for _, arg := range args {
		abs, err := filepath.Abs(arg)
		if err == nil && seen[abs] {
			continue // the same file twice would clash with itself
		}
		seen[abs] = true
		fi, err := os.Stat(arg)
		if errors.Is(err, fs.ErrNotExist) {
			errs.Add(arg, 0, "", "", "cannot read: no such file or directory (name unit files, or directories of them)")
			continue
		}
		if err == nil && fi.IsDir() {
			set, err := units.LoadDir(arg)
			collect(err)
			all = append(all, set.Units()...)
			continue
		}
		fileDirs[filepath.Dir(arg)] = true
		us, err := units.LoadFile(arg)
		collect(err)
		all = append(all, us...)
	}
	company := companyOf(fileDirs, all, seen)
	set, err := units.NewSet(append(all, company...))
	var el units.ErrorList
	errors.As(err, &el)
	for _, e := range el {
		if !isCompany(e.File, company) {
			errs = append(errs, e)
		}
	}
	errs.Sort()
	return len(set.Units()) - len(company), errs
}

// companyOf returns the good units of dirs that are not among the units
// loaded from the arguments, by name or by directory (the seen paths).
func companyOf(dirs map[string]bool, loaded []*units.Unit, seen map[string]bool) []*units.Unit {
	have := map[string]bool{}
	for _, u := range loaded {
		have[u.Name] = true
	}
	var out []*units.Unit
	for dir := range dirs {
		if abs, err := filepath.Abs(dir); err == nil && seen[abs] {
			continue // the directory itself was an argument
		}
		set, _ := units.LoadDir(dir)
		for _, u := range set.Units() {
			if !have[u.Name] {
				have[u.Name] = true
				out = append(out, u)
			}
		}
	}
	return out
}

func isCompany(file string, company []*units.Unit) bool {
	for _, u := range company {
		if u.Owns(file) {
			return true
		}
	}
	return false
}

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
