package units

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A word is one argument of an Exec line as splitWords found it.
type word struct {
	text      string
	separator bool // an unquoted, unescaped ";": it ends one command and starts the next
}

// splitWords splits an Exec value by systemd's rules: words are separated
// by whitespace, single and double quotes group (also in mid-word: a"b c"
// is one word), and C escapes (\n, \t, \\, \", \x41, \101, \u00e9, \s for a
// space, \; for a literal semicolon) are decoded inside and outside quotes.
// An unclosed quote or a trailing backslash is an error, never a guess.
func splitWords(s string) ([]word, error) {
	var words []word
	var cur strings.Builder
	inWord, quote := false, byte(0)
	plain := true // the current word has no quotes or escapes
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			r, n, err := unescape(s[i:])
			if err != nil {
				return nil, err
			}
			cur.WriteString(r)
			i += n - 1
			inWord, plain = true, false
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote, inWord, plain = c, true, false
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, word{text: cur.String(), separator: plain && cur.String() == ";"})
				cur.Reset()
				inWord, plain = false, true
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote (close it, or escape it as \\%c)", quote, quote)
	}
	if inWord {
		words = append(words, word{text: cur.String(), separator: plain && cur.String() == ";"})
	}
	return words, nil
}

// simpleEscapes are the one-letter C escapes (\s is systemd's space).
var simpleEscapes = map[byte]string{'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v",
	'\\': "\\", '"': "\"", '\'': "'", 's': " ", ';': ";", ' ': " "}

// unescape decodes the C escape at the start of s (s[0] == '\\') and returns
// the decoded text and how many bytes of s it used. A NUL byte is refused:
// no program argument or environment variable can hold one.
func unescape(s string) (string, int, error) {
	if len(s) < 2 {
		return "", 0, errors.New(`trailing backslash (write \\ for a literal one)`)
	}
	if r, ok := simpleEscapes[s[1]]; ok {
		return r, 2, nil
	}
	digits, base := 0, 16
	switch s[1] {
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	case '0', '1', '2', '3':
		digits, base = 3, 8
	default:
		return "", 0, fmt.Errorf(`unknown escape \%c (write \\ for a literal backslash)`, s[1])
	}
	start := 2
	if base == 8 {
		start = 1 // the first digit is s[1]
	}
	end := start + digits
	if base == 8 {
		end = 4
	}
	if len(s) < end {
		return "", 0, fmt.Errorf("escape %q is too short", short(s))
	}
	v, err := strconv.ParseUint(s[start:end], base, 32)
	switch {
	case err != nil || (digits > 2 && base == 16 && !utf8.ValidRune(rune(v))):
		return "", 0, fmt.Errorf("bad escape %q", s[:end])
	case v == 0:
		return "", 0, fmt.Errorf("escape %q is a NUL byte, which no argument can hold", s[:end])
	case digits > 2 && base == 16:
		return string(rune(v)), end, nil
	}
	return string([]byte{byte(v)}), end, nil
}

// parseExec parses one Exec*= value into commands; several commands on one
// line are separated by a lone ";". spec resolves %-specifiers in each word.
func parseExec(value string, line int, spec *specifiers) ([]Command, error) {
	words, err := splitWords(value)
	if err != nil {
		return nil, err
	}
	var cmds []Command
	for len(words) > 0 {
		n := 0
		for n < len(words) && !words[n].separator {
			n++
		}
		if n == 0 {
			return nil, errors.New(`empty command before ";" (remove the extra ";")`)
		}
		c, err := parseCommand(words[:n], line, spec)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
		words = words[min(n+1, len(words)):]
	}
	return cmds, nil
}

// parseCommand applies the prefixes of the first word and the specifiers
// of every word.
func parseCommand(words []word, line int, spec *specifiers) (Command, error) {
	c := Command{Line: line}
	first, argv0, err := c.prefixes(words[0].text)
	if err != nil {
		return c, err
	}
	argv := make([]string, 0, len(words))
	for i, w := range words {
		t := w.text
		if i == 0 {
			t = first
		}
		t, err := spec.expand(t)
		if err != nil {
			return c, err
		}
		argv = append(argv, t)
	}
	if argv0 {
		if len(argv) < 2 {
			return c, errors.New(`prefix "@" needs the argv[0] to pass as the second word (write @/path/prog name args…)`)
		}
		c.Argv0 = argv[1]
		argv = append(argv[:1], argv[2:]...)
	}
	switch {
	case argv[0] == "":
		return c, errors.New("empty program path (write the absolute path of the program)")
	case strings.HasPrefix(argv[0], "$"):
		return c, fmt.Errorf("the program %q cannot come from a variable (write its path, or run /bin/sh -c '%s …')", argv[0], argv[0])
	case strings.Contains(argv[0], "/") && !strings.HasPrefix(argv[0], "/"):
		return c, fmt.Errorf("program %q is a relative path (write an absolute path, or a bare name to search $PATH)", argv[0])
	}
	c.Argv = argv
	if !c.NoEnvExpand {
		if _, err := c.Expand(nil); err != nil {
			return c, err
		}
	}
	return c, nil
}

// prefixes strips the prefixes of an Exec line's first word, setting c's
// flags, and reports whether '@' (argv[0] follows) was among them.
func (c *Command) prefixes(first string) (rest string, argv0 bool, err error) {
	seen := map[byte]bool{}
	for first != "" && strings.IndexByte("-@:+!", first[0]) >= 0 {
		p := first[0]
		if seen[p] {
			return "", false, fmt.Errorf("prefix %q appears twice", p)
		}
		seen[p] = true
		switch p {
		case '-':
			c.IgnoreFailure = true
		case ':':
			c.NoEnvExpand = true
		case '+', '!':
			return "", false, fmt.Errorf("prefix %q (privileged execution) is not supported by svunit; set User= and Group= instead", p)
		}
		first = first[1:]
	}
	return first, seen['@'], nil
}
