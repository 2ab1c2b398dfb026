package supervisord

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A section is one [name] of a Supervisor configuration, with its options in
// the order they were written. Sections of the same name in several files
// are merged, as Python's ConfigParser does with strict=False.
type section struct {
	name    string
	pos     Pos
	options []option
}

// An option is one key = value line. Keys are lower-cased, as ConfigParser
// does; value has continuation lines joined with newlines and inline comments
// removed, but no expansions done.
type option struct {
	key, value string
	pos        Pos
	here       string // directory of the file it came from, for %(here)s
}

// get returns the last value of key and whether it was set.
func (s *section) get(key string) (option, bool) {
	for i := len(s.options) - 1; i >= 0; i-- {
		if s.options[i].key == key {
			return s.options[i], true
		}
	}
	return option{}, false
}

// config is a parsed file set: the main file and what its [include] named.
type config struct {
	sections []*section
	byName   map[string]*section
}

func (c *config) section(name string, pos Pos) *section {
	if s := c.byName[name]; s != nil {
		return s
	}
	s := &section{name: name, pos: pos}
	c.sections = append(c.sections, s)
	c.byName[name] = s
	return s
}

// readConfig reads path and the files its [include] section names (relative
// to path's directory, globbed, in sorted order), after expanding
// %(here)s, %(host_node_name)s and %(ENV_X)s in them with exp, as
// Supervisor does. As in Supervisor, included files cannot include further
// files; an [include] there is reported.
func readConfig(path string, exp *expander, d *Diagnostics) (*config, error) {
	c := &config{byName: map[string]*section{}}
	if err := c.readFile(path, d); err != nil {
		return nil, err
	}
	inc := c.byName["include"]
	if inc == nil {
		return c, nil
	}
	delete(c.byName, "include")
	files, ok := inc.get("files")
	if !ok {
		d.errorf(inc.pos, "[include] has no files= option")
		return c, nil
	}
	exp.vars["here"] = files.here
	list, err := exp.expand(files.value)
	if err != nil {
		d.errorf(files.pos, "[include] files: %v", err)
		return c, nil
	}
	for _, pattern := range strings.Fields(list) {
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(filepath.Dir(path), pattern)
		}
		names, err := filepath.Glob(pattern)
		if err != nil {
			d.errorf(files.pos, "[include] files: bad pattern %q: %v", pattern, err)
			continue
		}
		if len(names) == 0 {
			d.warnf(files.pos, "[include] files: no file matches %q", pattern)
		}
		sort.Strings(names)
		for _, name := range names {
			if err := c.readFile(name, d); err != nil {
				return nil, err
			}
			if nested := c.byName["include"]; nested != nil {
				d.warnf(nested.pos, "[include] in an included file is ignored, as Supervisor ignores it")
				delete(c.byName, "include")
			}
		}
	}
	return c, nil
}

// readFile parses one file with ConfigParser's rules: "key = value" or
// "key: value"; lines starting with ; or # are comments, as is the rest of a
// line after whitespace and ; or #; indented lines continue the last value.
func (c *config) readFile(path string, d *Diagnostics) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return err
	} else if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	here := filepath.Dir(abs)
	var cur *section
	var last *option
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		pos := Pos{File: path, Line: n}
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || line[0] == ';' || line[0] == '#':
			if line == "" {
				last = nil // a blank line ends a continued value
			}
		case raw[0] == ' ' || raw[0] == '\t':
			if last == nil {
				d.errorf(pos, "indented line %q continues no option", line)
				continue
			}
			last.value += "\n" + stripComment(line)
		case line[0] == '[':
			end := strings.IndexByte(line, ']')
			if end < 0 {
				d.errorf(pos, "section header %q has no closing ]", line)
				continue
			}
			cur, last = c.section(strings.TrimSpace(line[1:end]), pos), nil
		default:
			if cur == nil {
				d.errorf(pos, "option %q comes before any [section]", line)
				continue
			}
			i := strings.IndexAny(line, "=:")
			if i <= 0 {
				d.errorf(pos, "want key = value, got %q", line)
				continue
			}
			cur.options = append(cur.options, option{
				key:   strings.ToLower(strings.TrimSpace(line[:i])),
				value: stripComment(strings.TrimSpace(line[i+1:])),
				pos:   pos,
				here:  here,
			})
			last = &cur.options[len(cur.options)-1]
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// applyDefaults gives every [program:x] the options of [DEFAULT] it does
// not set itself, as Python's ConfigParser does when Supervisor reads a
// program's options. (Other sections read only the options they know.)
func (c *config) applyDefaults() {
	def := c.byName["DEFAULT"]
	if def == nil {
		return
	}
	for _, s := range c.sections {
		if !strings.HasPrefix(s.name, "program:") {
			continue
		}
		for _, opt := range def.options {
			if _, set := s.get(opt.key); !set {
				s.options = append(s.options, opt)
			}
		}
	}
}

// stripComment removes an inline comment: ; or # preceded by white space.
func stripComment(v string) string {
	for i := 1; i < len(v); i++ {
		if (v[i] == ';' || v[i] == '#') && (v[i-1] == ' ' || v[i-1] == '\t') {
			return strings.TrimSpace(v[:i])
		}
	}
	return v
}
