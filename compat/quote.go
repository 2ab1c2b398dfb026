package compat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file holds the only escapers in svunit's compat layer: one per target
// language. Every generator and the importer quote through them, so a path
// is escaped the same way wherever it is written.

// shellSafe reports whether s can appear as a POSIX shell word unquoted.
func shellSafe(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case strings.ContainsRune("@%+=:,./_-", r):
		default:
			return false
		}
	}
	return true
}

// ShellQuote returns s as one POSIX shell word: unchanged when it holds only
// characters the shell never interprets, otherwise in single quotes, each
// embedded single quote closing the quotes, escaped, then reopening them.
// Single quotes keep everything else literal,
// newlines included; only NUL cannot be represented.
func ShellQuote(s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", fmt.Errorf("%q holds a NUL byte, which no shell word can hold", s)
	}
	if shellSafe(s) {
		return s, nil
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'", nil
}

// shellWords quotes each of words with ShellQuote and joins them with
// spaces, the form of a command line in a script.
func shellWords(words []string) (string, error) {
	q := make([]string, len(words))
	for i, w := range words {
		var err error
		if q[i], err = ShellQuote(w); err != nil {
			return "", err
		}
	}
	return strings.Join(q, " "), nil
}

// checkPlain rejects s unless it holds only characters that need no quoting
// and no regular-expression escaping. rc.subr on the BSDs and OpenRC find
// their daemon by comparing the unevaluated command text with the process
// list, which only works for such paths.
func checkPlain(what, s string) error {
	for _, r := range s {
		if !shellSafe(string(r)) || r == '+' || r == '%' {
			return fmt.Errorf("%s %q holds %q: the init system matches this path against the process list unquoted, so it may hold only letters, digits and @=:,./_-", what, s, r)
		}
	}
	if s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	return nil
}

// checkReevaluated rejects s unless it survives being expanded unquoted and
// then evaluated again, as OpenRC (and, to be safe, FreeBSD's rc.subr) does
// with command_args: that expansion splits on white space, which eval joins
// back with single spaces, and expands glob patterns. So s may not hold
// control characters, a run of spaces, a leading or trailing space, or *?[.
func checkReevaluated(what, s string) error {
	bad := ""
	switch {
	case strings.Contains(s, "  "):
		bad = "two spaces in a row"
	case strings.TrimSpace(s) != s:
		bad = "a leading or trailing space"
	}
	for _, r := range s {
		if bad == "" && (r < 0x20 || r == 0x7f || strings.ContainsRune("*?[", r)) {
			bad = fmt.Sprintf("%q", r)
		}
	}
	if bad != "" {
		return fmt.Errorf("%s %q holds %s: the init system splits its arguments on white space and expands globs before evaluating them again, which would change it", what, s, bad)
	}
	return nil
}

// xmlSafe reports whether r may appear in an XML 1.0 document.
func xmlSafe(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return true
	case r < 0x20, r == 0xFFFE, r == 0xFFFF:
		return false
	case 0xD800 <= r && r <= 0xDFFF:
		return false
	}
	return true
}

// XMLEscape returns s as XML character data for a property list <string>.
// It rejects text XML 1.0 cannot carry (control characters other than tab,
// newline and carriage return, and invalid UTF-8) rather than replacing it.
func XMLEscape(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%q is not valid UTF-8, which an XML property list must be", s)
	}
	for _, r := range s {
		if !xmlSafe(r) {
			return "", fmt.Errorf("%q holds %q, which an XML property list cannot carry", s, r)
		}
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			// A literal CR would be normalised away by the XML parser.
			b.WriteString("&#13;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// SystemdQuoteExec returns path quoted as the executable of a systemd command
// line. systemd resolves specifiers there but not environment variables, and
// refuses control characters, quotes and backslashes in it.
func SystemdQuoteExec(path string) (string, error) {
	for _, r := range path {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`"'\`, r) {
			return "", fmt.Errorf("executable %q holds %q, which systemd refuses in an executable's path", path, r)
		}
	}
	q, err := SystemdQuote(path)
	return strings.ReplaceAll(q, "$$", "$"), err
}

// SystemdQuote returns s as one word of a systemd command line (ExecStart=
// and friends): in double quotes, with backslash, double quote and control
// characters written as C escapes, and with % and $ doubled so that neither
// specifiers nor environment variables are expanded in it. A word that needs
// none of this is returned unquoted.
func SystemdQuote(s string) (string, error) { return systemdQuote(s, true) }

// SystemdQuoteEnv returns "KEY=value" quoted for Environment=, which resolves
// specifiers and C escapes but never expands $VARIABLES.
func SystemdQuoteEnv(s string) (string, error) { return systemdQuote(s, false) }

func systemdQuote(s string, dollar bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%q is not valid UTF-8, which a unit file must be", s)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", fmt.Errorf("%q holds a NUL byte, which a unit file cannot carry", s)
	}
	if shellSafe(s) && !strings.ContainsRune(s, '%') {
		return s, nil
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == '%':
			b.WriteString("%%")
		case r == '$' && dollar:
			b.WriteString("$$")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// SystemdValue returns s for a directive that takes its value verbatim
// (User=, WorkingDirectory=, StandardOutput=append:PATH): % doubled, since
// specifiers are resolved there. Such a value cannot hold control characters
// or begin or end with white space, which the parser would drop.
func SystemdValue(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%q is not valid UTF-8, which a unit file must be", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("%q holds %q, which a unit-file value cannot carry", s, r)
		}
	}
	if strings.TrimSpace(s) != s {
		return "", fmt.Errorf("%q begins or ends with white space, which a unit-file value cannot carry", s)
	}
	return strings.ReplaceAll(s, "%", "%%"), nil
}

// SystemdCommand quotes argv as a systemd command line: argv[0] with
// SystemdQuoteExec, the arguments with SystemdQuote.
func SystemdCommand(argv []string) (string, error) {
	q := make([]string, len(argv))
	for i, w := range argv {
		var err error
		if i == 0 {
			q[i], err = SystemdQuoteExec(w)
		} else {
			q[i], err = SystemdQuote(w)
		}
		if err != nil {
			return "", err
		}
	}
	return strings.Join(q, " "), nil
}
