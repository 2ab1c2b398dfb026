package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:     "cat",
		synopsis: "UNIT…",
		short:    "Print the unit files of units",
		long: `Prints the file each UNIT comes from, preceded by a "# PATH" line, as
systemctl cat does. UNIT is a name with or without its suffix ("web",
"web.unit", "web.service"); an instance such as worker@2 prints its instance
file, or else its template. The files are read from the unit directory
(--units); the manager is not asked.

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
	for i, name := range args {
		path, err := unitFile(dir, name)
		if err != nil {
			return &exitError{code: exitNoSuchUnit, err: err}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if i > 0 {
			fmt.Println()
		}
		fmt.Printf("# %s\n%s", path, data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			fmt.Println()
		}
	}
	return nil
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
