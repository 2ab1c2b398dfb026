package units

import (
	"fmt"
	"sort"
	"strings"
)

// An Error is one problem in a unit file, with its position. Line is 0 when
// the problem belongs to the file as a whole (a bad name, a missing
// directive whose section is absent).
type Error struct {
	File      string
	Line      int
	Section   string // "Service"; "" for file-level problems
	Directive string // "ExecStart"; "" for section-level problems
	Msg       string // what is wrong, then what to do, in parentheses
}

// Error formats e as "file:line: Section.Directive: msg", leaving out the
// parts that are empty.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	switch {
	case e.Section != "" && e.Directive != "":
		b.WriteString(e.Section + "." + e.Directive + ": ")
	case e.Section != "":
		b.WriteString("[" + e.Section + "]: ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is a list of unit-file errors, sorted by file and line once
// Sort has run. Like go/scanner.ErrorList, it is returned whole so that a
// user fixes every problem of a file in one pass.
type ErrorList []*Error

// Add appends an error.
func (p *ErrorList) Add(file string, line int, section, directive, msg string) {
	*p = append(*p, &Error{File: file, Line: line, Section: section, Directive: directive, Msg: msg})
}

// Addf appends an error with a formatted message.
func (p *ErrorList) Addf(file string, line int, section, directive, format string, args ...any) {
	p.Add(file, line, section, directive, fmt.Sprintf(format, args...))
}

func (p ErrorList) Len() int      { return len(p) }
func (p ErrorList) Swap(i, j int) { p[i], p[j] = p[j], p[i] }
func (p ErrorList) Less(i, j int) bool {
	e, f := p[i], p[j]
	if e.File != f.File {
		return e.File < f.File
	}
	if e.Line != f.Line {
		return e.Line < f.Line
	}
	if e.Section != f.Section {
		return e.Section < f.Section
	}
	if e.Directive != f.Directive {
		return e.Directive < f.Directive
	}
	return e.Msg < f.Msg
}

// Sort sorts the list by file, line, then message, and removes exact
// repeats (a template's instances share their template's errors).
func (p *ErrorList) Sort() {
	sort.Stable(*p)
	out := (*p)[:0]
	for i, e := range *p {
		if i > 0 && *e == *(*p)[i-1] {
			continue
		}
		out = append(out, e)
	}
	*p = out
}

// Error returns the first error and how many more there are; print the
// list entry by entry to see them all.
func (p ErrorList) Error() string {
	switch len(p) {
	case 0:
		return "no errors"
	case 1:
		return p[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", p[0], len(p)-1)
}

// has reports whether p holds an error of Section.Directive.
func (p ErrorList) has(section, directive string) bool {
	for _, e := range p {
		if e.Section == section && e.Directive == directive {
			return true
		}
	}
	return false
}

// Err returns p sorted as an error, or nil when p is empty, so a function
// can end with "return units, errs.Err()" without a typed-nil trap.
func (p ErrorList) Err() error {
	if len(p) == 0 {
		return nil
	}
	p.Sort()
	return p
}
