package supervisord

import (
	"fmt"
	"strconv"
	"strings"
)

// instanceMark stands for %(process_num) in a template's values until they
// are quoted; it then becomes the specifier %i. It is a private-use rune, so
// no quoting touches it and no real configuration holds it.
const instanceMark = "\uE000"

// maxWidth bounds the width of an expansion such as %(process_num)05d.
const maxWidth = 64

// expander performs Supervisor's %(name)s expansions, which are Python's
// % operator with a mapping: %(name)s, %(name)d, %(name)02d, and %% for %.
type expander struct {
	vars map[string]string // here, program_name, group_name, host_node_name, ENV_X
	nums map[string]int    // numprocs; process_num when not a template

	template bool            // %(process_num) becomes instanceMark
	usedNum  bool            // a value used %(process_num)
	padded   bool            // … with a width, which %i cannot reproduce
	usedEnv  map[string]bool // ENV_ names used
}

// newExpander returns an expander with %(host_node_name)s and %(ENV_X)s
// for every variable of env.
func newExpander(env map[string]string, host string) *expander {
	e := &expander{
		vars:    map[string]string{"host_node_name": host},
		nums:    map[string]int{},
		usedEnv: map[string]bool{},
	}
	for k, v := range env {
		e.vars["ENV_"+k] = v
	}
	return e
}

// expand returns s with every %(name)x replaced.
func (e *expander) expand(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i+1:]
		if strings.HasPrefix(s, "%") {
			b.WriteByte('%')
			s = s[1:]
			continue
		}
		if !strings.HasPrefix(s, "(") {
			return "", fmt.Errorf("%% not followed by (name) or %%: write %%%% for a literal %%")
		}
		end := strings.IndexByte(s, ')')
		if end < 0 {
			return "", fmt.Errorf("%%(%s has no closing )", s[1:])
		}
		name := s[1:end]
		s = s[end+1:]
		spec := strings.IndexAny(s, "sdirx")
		if spec < 0 || strings.Trim(s[:spec], "-0123456789 ") != "" {
			return "", fmt.Errorf("%%(%s) has no conversion: want %%(%s)s or %%(%s)d", name, name, name)
		}
		if w, _ := strconv.Atoi(strings.TrimLeft(s[:spec], "-0 ")); w > maxWidth || len(s[:spec]) > 8 {
			return "", fmt.Errorf("%%(%s)%s: a width over %d is surely a mistake", name, s[:spec+1], maxWidth)
		}
		v, err := e.value(name, s[:spec], s[spec])
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[spec+1:]
	}
}

// value formats one expansion with Python's flags and width.
func (e *expander) value(name, flags string, conv byte) (string, error) {
	if name == "process_num" && e.template {
		e.usedNum = true
		e.padded = e.padded || flags != ""
		return instanceMark, nil
	}
	if n, ok := e.nums[name]; ok {
		if name == "process_num" {
			e.usedNum = true
		}
		return pyFormat(strconv.Itoa(n), flags), nil
	}
	v, ok := e.vars[name]
	if !ok {
		return "", fmt.Errorf("%%(%s) cannot be expanded: no such name (environment variables are %%(ENV_NAME)s)", name)
	}
	if conv != 's' && conv != 'r' {
		if _, err := strconv.Atoi(v); err != nil {
			return "", fmt.Errorf("%%(%s)%c needs a number, and %s is %q", name, conv, name, v)
		}
	}
	if strings.HasPrefix(name, "ENV_") {
		e.usedEnv[name] = true
	}
	return pyFormat(v, flags), nil
}

// pyFormat pads v to the width in flags: zeros for a leading 0, spaces on the
// right for -, else spaces on the left.
func pyFormat(v, flags string) string {
	width, _ := strconv.Atoi(strings.TrimLeft(flags, "-0 "))
	pad := width - len(v)
	switch {
	case pad <= 0:
		return v
	case strings.Contains(flags, "-"):
		return v + strings.Repeat(" ", pad)
	case strings.HasPrefix(flags, "0"):
		return strings.Repeat("0", pad) + v
	}
	return strings.Repeat(" ", pad) + v
}
