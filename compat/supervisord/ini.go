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

// readConfig reads path and the files its [include] section names. A file
// that cannot be read is an error; problems inside files are diagnostics.
func readConfig(path string, exp *expander, d *Diagnostics) (*config, error) {
	c := &config{byName: map[string]*section{}}
	if err := c.readFile(path, d); err != nil {
		return nil, err
	}
	if inc := c.byName["include"]; inc != nil {
		delete(c.byName, "include")
		c.readIncludes(inc, exp, d)
	}
	return c, nil
}

// readIncludes reads the files [include] files= names: relative to the
// including file's directory, globbed, in sorted order, after expanding
// %(here)s, %(host_node_name)s and %(ENV_X)s with exp, as Supervisor does.
// As in Supervisor, included files cannot include further files.
func (c *config) readIncludes(inc *section, exp *expander, d *Diagnostics) {
	files, ok := inc.get("files")
	if !ok {
		d.errorf(inc.pos, "[include] has no files= option")
		return
	}
	exp.vars["here"] = files.here
	list, err := exp.expand(files.value)
	if err != nil {
		d.errorf(files.pos, "[include] files: %v", err)
		return
	}
	for _, pattern := range strings.Fields(list) {
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(files.here, pattern)
		}
		names, err := filepath.Glob(pattern)
		if err != nil {
			d.errorf(files.pos, "[include] files: bad pattern %q: %v", pattern, err)
		} else if len(names) == 0 {
			d.warnf(files.pos, "[include] files: no file matches %q", pattern)
		}
		sort.Strings(names)
		for _, name := range names {
			if err := c.readFile(name, d); err != nil {
				d.errorf(files.pos, "[include] files: %v", err)
			}
			if nested := c.byName["include"]; nested != nil {
				d.warnf(nested.pos, "[include] in an included file is ignored, as Supervisor ignores it")
				delete(c.byName, "include")
			}
		}
	}
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
	r := &fileReader{c: c, d: d, path: path, here: filepath.Dir(abs)}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		r.line(n, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// fileReader holds the state of readFile between lines.
type fileReader struct {
	c          *config
	d          *Diagnostics
	path, here string
	cur        *section // the section being read
	last       *option  // the option an indented line continues, or nil
}

// line reads line n of the file.
func (r *fileReader) line(n int, raw string) {
	pos := Pos{File: r.path, Line: n}
	line := strings.TrimSpace(raw)
	switch {
	case line == "":
		r.last = nil // a blank line ends a continued value
	case line[0] == ';' || line[0] == '#':
	case raw[0] == ' ' || raw[0] == '\t':
		if r.last == nil {
			r.d.errorf(pos, "indented line %q continues no option", line)
			return
		}
		r.last.value += "\n" + stripComment(line)
	case line[0] == '[':
		end := strings.IndexByte(line, ']')
		if end < 0 {
			r.d.errorf(pos, "section header %q has no closing ]", line)
			return
		}
		r.cur, r.last = r.c.section(strings.TrimSpace(line[1:end]), pos), nil
	case r.cur == nil:
		r.d.errorf(pos, "option %q comes before any [section]", line)
	default:
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			r.d.errorf(pos, "want key = value, got %q", line)
			return
		}
		r.cur.options = append(r.cur.options, option{
			key:   strings.ToLower(strings.TrimSpace(line[:i])),
			value: stripComment(strings.TrimSpace(line[i+1:])),
			pos:   pos,
			here:  r.here,
		})
		r.last = &r.cur.options[len(r.cur.options)-1]
	}
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
