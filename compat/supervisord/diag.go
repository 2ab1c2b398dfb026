package supervisord

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a place in a configuration file.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// A Diagnostic is one problem found while converting, at the line that
// caused it.
type Diagnostic struct {
	Pos     Pos
	Message string
}

func (d Diagnostic) String() string { return d.Pos.String() + ": " + d.Message }

// Diagnostics collects what a conversion found. Errors stop the conversion
// (Import writes nothing); warnings name what could not be carried over.
type Diagnostics struct {
	Errors   []Diagnostic
	Warnings []Diagnostic
}

func (d *Diagnostics) errorf(p Pos, format string, args ...any) {
	d.Errors = append(d.Errors, Diagnostic{p, fmt.Sprintf(format, args...)})
}

func (d *Diagnostics) warnf(p Pos, format string, args ...any) {
	d.Warnings = append(d.Warnings, Diagnostic{p, fmt.Sprintf(format, args...)})
}

// sort orders both lists by file and line, as go/scanner's ErrorList does.
func (d *Diagnostics) sort() {
	for _, l := range [][]Diagnostic{d.Errors, d.Warnings} {
		sort.SliceStable(l, func(i, j int) bool {
			a, b := l[i].Pos, l[j].Pos
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Line < b.Line
		})
	}
}

// An Error is returned by Convert when the configuration has errors; it
// lists every one of them, sorted by file and line.
type Error struct{ List []Diagnostic }

func (e *Error) Error() string {
	lines := make([]string, len(e.List))
	for i, d := range e.List {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
