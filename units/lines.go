package units

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLine is the longest line go-systemd's parser accepts (systemd's
// LINE_MAX); longer lines are an error rather than silently truncated.
const maxLine = 2048

// A position is where one option or section header was written. The
// go-systemd parser returns options in file order without positions, so
// scanLines walks the file the same way and the two lists are zipped.
type position struct {
	section string // section the option belongs to
	name    string // option name, "" for a section header
	line    int    // first line of the option (continuations follow it)
}

// scanned is what scanLines learnt about a file, and its state while it
// scans (one goroutine).
type scanned struct {
	options  []position     // one per option, in file order
	sections map[string]int // section name → line of its first header
	errs     []*Error       // syntax errors, each with its line

	file     string
	section  string // current section
	comments []int  // lines of comments, cut from the parser's input
	inValue  bool   // the previous line continues a value
}

// scanLines walks data line by line with the rules of go-systemd's lexer
// and systemd's: comments start with '#' or ';' and never continue, a
// value whose line ends in a backslash continues on the next non-blank,
// non-comment line, and a section header is "[Name]" alone on its line. It records every option's line and reports every
// syntax error, where the parser stops at the first and names no line.
func scanLines(file string, data []byte) scanned {
	s := scanned{sections: map[string]int{}, file: file}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte-order mark, as systemd skips it
	for i, raw := range bytes.Split(data, []byte("\n")) {
		s.line(i+1, string(bytes.TrimSuffix(raw, []byte("\r"))))
	}
	return s
}

// line scans line n.
func (s *scanned) line(n int, line string) {
	if isComment(line) {
		// systemd skips comments, also inside a continued value, and a
		// comment never continues onto the next line. The parser would
		// take the first as text and do the second, so comments are cut
		// from what it reads (and so are free of its limits).
		s.comments = append(s.comments, n)
		return
	}
	if len(line) >= maxLine {
		s.errorf(n, "line is %d bytes long, the limit is %d (split it with a backslash at the end of a line)", len(line), maxLine-1)
	}
	if !utf8.ValidString(line) || strings.IndexByte(line, 0) >= 0 {
		s.errorf(n, "line is not valid UTF-8 text (save the file as UTF-8, without NUL bytes)")
		return
	}
	switch {
	case s.inValue:
		// A blank line ends a continued value; otherwise a trailing
		// backslash continues it further.
		s.inValue = strings.TrimSpace(line) != "" && strings.HasSuffix(line, `\`)
		return
	}
	trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
	switch {
	case trimmed == "":
	case trimmed[0] == '[':
		s.header(n, trimmed)
	default:
		s.option(n, trimmed)
	}
}

// header scans a section header line.
func (s *scanned) header(n int, trimmed string) {
	name, rest, ok := strings.Cut(trimmed[1:], "]")
	switch {
	case !ok:
		s.errorf(n, "section header %q has no closing ']'", strings.TrimSpace(trimmed))
	case strings.TrimSpace(rest) != "":
		s.errorf(n, "text after section header [%s]: %q (put each directive on its own line)", name, strings.TrimSpace(rest))
	case name == "":
		s.errorf(n, "empty section header [] (write [Unit], [Service] or [Install])")
	}
	s.section = name
	if _, seen := s.sections[name]; !seen && ok {
		s.sections[name] = n
	}
}

// option scans a NAME=VALUE line.
func (s *scanned) option(n int, trimmed string) {
	name, value, ok := strings.Cut(trimmed, "=")
	name = strings.TrimSpace(name)
	switch {
	case !ok:
		s.errorf(n, "line %q is neither a section header, a comment nor NAME=VALUE", short(trimmed))
		return
	case s.section == "":
		s.errorf(n, "%s= comes before any section header (put it under [Unit], [Service] or [Install])", name)
		return
	case name == "":
		s.errorf(n, "directive with an empty name (write NAME=VALUE)")
	}
	s.options = append(s.options, position{section: s.section, name: name, line: n})
	s.inValue = strings.TrimSpace(value) != "" && strings.HasSuffix(value, `\`)
}

func (s *scanned) errorf(line int, format string, args ...any) {
	var l ErrorList
	l.Addf(s.file, line, "", "", format, args...)
	s.errs = append(s.errs, l...)
}

// short cuts s for quoting in an error message.
func short(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// isComment reports whether line is a comment.
func isComment(line string) bool {
	t := strings.TrimLeftFunc(line, unicode.IsSpace)
	return t != "" && (t[0] == '#' || t[0] == ';')
}

// withoutLines returns data without the given lines (1-based, ascending),
// for the parser; line endings of the other lines are kept.
func withoutLines(data []byte, drop []int) []byte {
	if len(drop) == 0 {
		return data
	}
	var out []byte
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(drop) > 0 && drop[0] == i+1 {
			drop = drop[1:]
			continue
		}
		out = append(out, line...)
	}
	return out
}
