package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"svunit.dev/svunit/units"
)

func init() {
	register(&command{
		name:     "cat",
		synopsis: "UNIT…",
		short:    "Print the unit files of units",
		long: `Prints the file each UNIT comes from, then its drop-ins (NAME.unit.d/*.conf,
and for an instance TEMPLATE@.unit.d/*.conf) in the order they apply, each
preceded by a "# PATH" line, as systemctl cat does. UNIT is a name with or
without its suffix ("web", "web.unit", "web.service"); an instance such as
worker@2 prints its instance file, or else its template. The files are read
from the unit directory (--units); the manager is not asked, so this shows
what the next 'svunit reload' would load.

Exit status: 0, or 4 when a unit has no file.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return runCat
		},
	})
}

func runCat(g *globals, args []string) error {
	if len(args) == 0 {
		return usageErrorf("name at least one unit (see 'svunit cat --help')")
	}
	dir := g.paths().Units
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for i, name := range args {
		path, err := unitFile(dir, name)
		if err != nil {
			return &exitError{code: exitNoSuchUnit, err: err}
		}
		dropIns, err := units.DropIns(dir, unitName(path, name))
		if err != nil {
			return err
		}
		for j, f := range append([]string{path}, dropIns...) {
			if i > 0 || j > 0 {
				fmt.Fprintln(w)
			}
			if err := catFile(w, f); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}

// catFile prints f headed by "# PATH", ending in a newline.
func catFile(w io.Writer, f string) error {
	data, err := os.ReadFile(f)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# %s\n%s", f, data)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		fmt.Fprintln(w)
	}
	return nil
}

// unitName is the name of the unit arg names, whose file is path: the
// file's name, or for an instance loaded from its template the instance's
// name with the template's suffix (worker@2 → worker@2.unit), so that the
// instance's own drop-ins are found.
func unitName(path, arg string) string {
	file := filepath.Base(path)
	prefix, inst, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(arg, ".unit"), ".service"), "@")
	if tprefix, suffix, ok := strings.Cut(file, "@"); ok && tprefix == prefix && strings.HasPrefix(suffix, ".") && inst != "" {
		return prefix + "@" + inst + suffix
	}
	return file
}

// unitFile finds the file for a unit name in dir: NAME, NAME.unit or
// NAME.service, and for an instance PREFIX@INST its template PREFIX@.
func unitFile(dir, name string) (string, error) {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".unit"), ".service")
	candidates := []string{name, base + ".unit", base + ".service"}
	if prefix, inst, ok := strings.Cut(base, "@"); ok && inst != "" {
		candidates = append(candidates, prefix+"@.unit", prefix+"@.service")
	}
	for _, c := range candidates {
		if strings.ContainsRune(c, filepath.Separator) {
			continue
		}
		p := filepath.Join(dir, c)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no unit file for %q in %s", name, dir)
}
