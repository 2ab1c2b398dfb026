package units

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
)

// specifiers resolves systemd's %-specifiers for one unit (or one instance
// of a template). User and home are looked up only when a value uses them.
type specifiers struct {
	name     string // %n: "worker@2.unit"
	prefix   string // %p: "worker"
	instance string // %i: "2"
	user     string // User= of the unit, "" = the manager's user
}

// expand replaces %n %N %p %i %I %u %U %h %H and %% in s.
func (sp *specifiers) expand(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", errors.New(`lone "%" at the end (write %% for a literal percent sign)`)
		}
		i++
		v, err := sp.value(s[i])
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

func (sp *specifiers) value(c byte) (string, error) {
	switch c {
	case '%':
		return "%", nil
	case 'n':
		return sp.name, nil
	case 'N':
		return strings.TrimSuffix(strings.TrimSuffix(sp.name, ".unit"), ".service"), nil
	case 'p':
		return sp.prefix, nil
	case 'i':
		return sp.instance, nil
	case 'I':
		return unescapeInstance(sp.instance), nil
	case 'H':
		return os.Hostname()
	case 'u', 'U', 'h':
		u, err := sp.lookupUser()
		if err != nil {
			return "", err
		}
		return map[byte]string{'u': u.Username, 'U': u.Uid, 'h': u.HomeDir}[c], nil
	}
	return "", fmt.Errorf("unknown specifier %%%c (svunit knows %%n %%N %%p %%i %%I %%u %%U %%h %%H; write %%%% for a literal %%)", c)
}

func (sp *specifiers) lookupUser() (*user.User, error) {
	if sp.user == "" {
		return user.Current()
	}
	return lookupUser(sp.user)
}

// unescapeInstance undoes systemd's name escaping for %I: "-" is "/" and
// "\xNN" is the byte NN.
func unescapeInstance(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '-':
			b.WriteByte('/')
		case s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x':
			if r, n, err := unescape(s[i : i+4]); err == nil {
				b.WriteString(r)
				i += n - 1
				continue
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// parseEnvironment parses an Environment= value: KEY=VALUE words, quoted and
// escaped as in Exec lines.
func parseEnvironment(value string, spec *specifiers) ([]string, error) {
	words, err := splitWords(value)
	if err != nil {
		return nil, err
	}
	var env []string
	for _, w := range words {
		kv, err := spec.expand(w.text)
		if err != nil {
			return nil, err
		}
		key, _, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not KEY=VALUE (quote values with spaces: \"KEY=a b\")", kv)
		}
		if !validEnvName(key) {
			return nil, fmt.Errorf("%q is not a valid variable name (use letters, digits and _, not starting with a digit)", key)
		}
		env = append(env, kv)
	}
	return env, nil
}

// validEnvName reports whether s is a shell-style variable name.
func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && !(i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Expand returns c's argument vector with environment variables from env
// ("KEY=value", later entries win) substituted by systemd's rules: a word
// that is exactly $NAME becomes the variable's value split at whitespace
// (zero or more words); ${NAME} anywhere in a word is replaced by the value
// as is, keeping one word; ${NAME:-default} and ${NAME:+alternative} work as
// in the shell; $$ is a literal $. Unset variables are empty. Argv[0], the
// program, is never expanded, and a ':'-prefixed command is returned as is.
// The result starts with the program path; the caller substitutes Argv0.
func (c Command) Expand(env []string) ([]string, error) {
	out := make([]string, 0, len(c.Argv))
	if len(c.Argv) == 0 || c.NoEnvExpand {
		return append(out, c.Argv...), nil
	}
	lookup := func(name string) (string, bool) {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
				return v, true
			}
		}
		return "", false
	}
	out = append(out, c.Argv[0])
	for _, arg := range c.Argv[1:] {
		if len(arg) > 1 && arg[0] == '$' && validEnvName(arg[1:]) {
			v, _ := lookup(arg[1:])
			out = append(out, strings.Fields(v)...)
			continue
		}
		w, err := expandWord(arg, lookup)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// expandWord substitutes ${NAME}, ${NAME:-x}, ${NAME:+x} and $$ in one word.
func expandWord(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] != '$' || i+1 == len(s):
			b.WriteByte(s[i])
		case s[i+1] == '$':
			b.WriteByte('$')
			i++
		case s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("unclosed ${ in %q (write ${NAME}, or $$ for a literal $)", s)
			}
			v, err := expandRef(s[i+2:i+end], lookup)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i += end
		default:
			b.WriteByte('$') // $NAME inside a word stays literal, as in systemd
		}
	}
	return b.String(), nil
}

// expandRef resolves the inside of ${…}.
func expandRef(ref string, lookup func(string) (string, bool)) (string, error) {
	name, alt, op := ref, "", ""
	if i := strings.Index(ref, ":"); i >= 0 {
		name, op, alt = ref[:i], ref[i:min(i+2, len(ref))], ref[min(i+2, len(ref)):]
	}
	if !validEnvName(name) || (op != "" && op != ":-" && op != ":+") {
		return "", fmt.Errorf("${%s} is not a variable reference (write ${NAME}, ${NAME:-default} or ${NAME:+alternative})", ref)
	}
	v, _ := lookup(name)
	switch {
	case op == ":-" && v == "":
		return alt, nil
	case op == ":+" && v != "":
		return alt, nil
	case op == ":+":
		return "", nil
	}
	return v, nil
}
