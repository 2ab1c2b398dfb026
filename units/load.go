package units

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/unit"

	"svunit.dev/svunit/journal"
)

// An option is one NAME=VALUE of a file, with the line it starts on.
type option struct {
	section, name, value string
	line                 int
	header               int    // line of the first header of its section, in its file
	file                 string // the drop-in it comes from; "" for the unit file
}

// knownSections are the sections svunit reads; X-* sections are skipped.
var knownSections = []string{"Unit", "Service", "Install"}

// LoadFile loads one unit file. A template NAME@.unit with Instances=N
// yields the N units NAME@1.unit … NAME@N.unit; any other file yields one.
// On any problem it returns no units and an ErrorList with every problem of
// the file (and its drop-ins), each with its line; only an instance whose
// own drop-in (NAME@N.unit.d) is bad is left out while its siblings load.
func LoadFile(path string) ([]*Unit, error) {
	us, errs := loadFile(path, false, nil)
	return us, errs.Err()
}

// LoadDir loads every *.unit and *.service file in dir and checks them
// against each other (NewSet). Bad files do not stop the good ones: the Set
// holds every unit that loaded cleanly, and the error, an ErrorList, lists
// the problems of the others. Both may be non-nil. A template without
// Instances= is fine here when instance files NAME@X.unit exist for it.
func LoadDir(dir string) (*Set, error) {
	var errs ErrorList
	entries, err := os.ReadDir(dir)
	if err != nil {
		errs.Addf(dir, 0, "", "", "cannot read the unit directory: %v (create it, or point --units at another)", err)
		set, _ := NewSet(nil)
		return set, errs.Err()
	}
	var files []string
	hasInstances := map[string]bool{}
	present := map[string]bool{} // for the drop-in directories
	for _, e := range entries {
		present[e.Name()] = true
		n, err := parseName(e.Name())
		if strings.HasPrefix(e.Name(), ".") || (err != nil && n.suffix == "") {
			continue // not a unit file at all
		}
		files = append(files, e.Name())
		if n.instance != "" {
			hasInstances[n.prefix+"@"+n.suffix] = true
		}
	}
	var all []*Unit
	for _, name := range files {
		us, ferrs := loadFile(filepath.Join(dir, name), hasInstances[name], present)
		all = append(all, us...)
		errs = append(errs, ferrs...)
	}
	set, err := NewSet(all)
	if el, ok := err.(ErrorList); ok {
		errs = append(errs, el...)
	}
	return set, errs.Err()
}

// loadFile is LoadFile; bareTemplateOK accepts a template without
// Instances= (it then yields nothing), for LoadDir, and present names the
// entries of path's directory when the caller has listed it (else nil).
func loadFile(path string, bareTemplateOK bool, present map[string]bool) ([]*Unit, ErrorList) {
	var errs ErrorList
	name := filepath.Base(path)
	n, err := parseName(name)
	if err != nil {
		errs.Add(path, 0, "", "", err.Error())
		return nil, errs
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		errs.Add(path, 0, "", "", "not a regular file (a unit file must be a file or a symlink to one)")
		return nil, errs
	}
	data, err := os.ReadFile(path)
	if err != nil {
		errs.Addf(path, 0, "", "", "cannot read: %v", err)
		return nil, errs
	}
	return loadBytes(path, n, data, bareTemplateOK, present)
}

// loadBytes is loadFile once the file is read and its name parsed. The
// unit's drop-ins (dropins.go) apply after the file's own options.
func loadBytes(path string, n unitName, data []byte, bareTemplateOK bool, present map[string]bool) ([]*Unit, ErrorList) {
	name := filepath.Base(path)
	opts, sections, errs := readOptions(path, data)
	dir, err := filepath.Abs(filepath.Dir(path)) // drop-in paths are shown long after the cwd is forgotten
	if err != nil {
		dir = filepath.Dir(path)
	}
	l := &fileLoader{path: path, dir: dir, fileOpts: opts, sections: sections, dropIns: &dropInReader{present: present}}
	own, ownFiles, derrs := l.dropIns.read(dir, name)
	if errs = append(errs, derrs...); len(errs) > 0 {
		return nil, errs
	}
	opts = append(opts[:len(opts):len(opts)], own...)
	var u *Unit
	switch {
	case n.template:
		count, line := instancesOf(opts)
		if count == 0 && line == 0 {
			if bareTemplateOK {
				return nil, nil
			}
			errs.Addf(path, sections["Service"], "Service", "Instances", "template %s has no instances (set Instances=N, or add instance files such as %s@1%s linking to it)", name, n.prefix, n.suffix)
			return nil, errs
		}
		return l.instances(n, max(count, 1))
	case n.instance != "":
		u, errs = build(path, name, n.prefix+"@"+n.suffix, n.instance, opts, sections)
	default:
		u, errs = build(path, name, "", "", opts, sections)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	u.DropInPaths = ownFiles
	return []*Unit{u}, nil
}

// A fileLoader holds what the units of one unit file share.
type fileLoader struct {
	path, dir string
	fileOpts  []option       // the file's own options, without drop-ins
	sections  map[string]int // line of each section's first header
	dropIns   *dropInReader
}

// instances builds instances 1…count of the template n. They share the
// template's file and drop-ins, and so their errors: the first bad
// instance stops the rest, and none is returned. An instance whose only
// problems are in its own drop-in directory is left out alone, as systemd
// fails that instance only.
func (l *fileLoader) instances(n unitName, count int) ([]*Unit, ErrorList) {
	var us []*Unit
	var errs ErrorList
	for i := 1; i <= count; i++ {
		inst := strconv.Itoa(i)
		name := n.prefix + "@" + inst + n.suffix
		opts, files, uerrs := l.dropIns.read(l.dir, name) // its own drop-ins and the template's
		var u *Unit
		if len(uerrs) == 0 {
			u, uerrs = build(l.path, name, n.prefix+"@"+n.suffix, inst, append(l.fileOpts[:len(l.fileOpts):len(l.fileOpts)], opts...), l.sections)
		}
		if len(uerrs) == 0 {
			u.DropInPaths = files
			us = append(us, u)
			continue
		}
		errs = append(errs, uerrs...)
		if !withinDir(uerrs, filepath.Join(l.dir, name+".d")) {
			return nil, errs
		}
	}
	return us, errs
}

// withinDir reports whether every error of errs is in a file of dir.
func withinDir(errs ErrorList, dir string) bool {
	for _, e := range errs {
		if filepath.Dir(e.File) != dir {
			return false
		}
	}
	return true
}

// instancesOf returns the last Instances= value of a template (0 when
// absent or invalid) and its line (0 when absent).
func instancesOf(opts []option) (count, line int) {
	for _, o := range opts {
		if o.section == "Service" && o.name == "Instances" {
			count, _ = parseInt(o.value, 1, maxInstances)
			line = o.line
		}
	}
	return count, line
}

// readOptions parses data with go-systemd's parser and gives each option
// the line scanLines found for it. It also returns the line of each
// section's first header.
func readOptions(path string, data []byte) ([]option, map[string]int, ErrorList) {
	sc := scanLines(path, data)
	if len(sc.errs) > 0 {
		return nil, nil, sc.errs
	}
	// CRLF becomes LF: the parser strips '\r' only before it strips '\n',
	// so a continued line ending in "\\\r\n" would end its value.
	clean := bytes.ReplaceAll(withoutLines(data, sc.comments), []byte("\r\n"), []byte("\n"))
	parsed, err := unit.DeserializeOptions(bytes.NewReader(clean))
	if err != nil {
		var errs ErrorList
		errs.Addf(path, 0, "", "", "cannot parse: %v", err)
		return nil, nil, errs
	}
	opts := make([]option, len(parsed))
	next := 0 // the scanned positions are in file order, as are parsed options
	for i, p := range parsed {
		opts[i] = option{section: p.Section, name: p.Name, value: joinContinuations(p.Value), header: sc.sections[p.Section]}
		for j := next; j < len(sc.options); j++ {
			if sc.options[j].section == p.Section && sc.options[j].name == p.Name {
				opts[i].line, next = sc.options[j].line, j+1
				break
			}
		}
	}
	return opts, sc.sections, nil
}

// joinContinuations turns the parser's "a \\\nb" into systemd's "a  b": a
// backslash at the end of a line becomes a space.
func joinContinuations(v string) string {
	return strings.TrimSpace(strings.ReplaceAll(v, "\\\n", " "))
}

// build makes one unit (or instance) from a file's options.
func build(path, name, template, instance string, opts []option, sections map[string]int) (*Unit, ErrorList) {
	var errs ErrorList
	n, _ := parseName(name)
	abs, err := filepath.Abs(path) // Unit.Path is shown by status long after the cwd is forgotten
	if err != nil {
		abs = path
	}
	u := withDefaults(&Unit{Name: name, Path: abs, Template: template, Instance: instance, Lines: map[string]int{}, dropInOf: map[string]string{}})
	b := &builder{u: u, spec: &specifiers{name: name, prefix: n.prefix, instance: instance}}
	// %u and %h depend on User=, wherever it is written.
	for _, o := range opts {
		if o.section == "Service" && o.name == "User" {
			if v, err := b.spec.expand(o.value); err == nil {
				if _, err := lookupUser(v); err == nil {
					b.spec.user = v
				}
			}
		}
	}
	badSection := map[string]bool{}
	for _, o := range opts {
		if strings.HasPrefix(o.name, "X-") || strings.HasPrefix(o.section, "X-") {
			continue
		}
		file := path
		if o.file != "" {
			file = o.file
		}
		d := byKey[o.section+"."+o.name]
		if d == nil {
			unknown(&errs, file, o, badSection)
			continue
		}
		key := o.section + "." + o.name
		b.line, b.file = o.line, abs
		u.Lines[key] = o.line
		delete(u.dropInOf, key)
		if o.file != "" {
			b.file = o.file
			u.dropInOf[key] = o.file
		}
		if err := d.parse(b, o.value); err != nil {
			errs.Add(file, o.line, o.section, o.name, err.Error())
		}
	}
	check(u, sections, &errs)
	return u, errs
}

// withDefaults sets svunit's defaults, Supervisor's where systemd's would
// surprise (see docs/directives.md).
func withDefaults(u *Unit) *Unit {
	s := &u.Service
	s.Type = Simple
	s.Restart = RestartOnFailure
	s.RestartSec = 100 * time.Millisecond
	s.RestartSteps = 10
	s.RestartMaxDelaySec = 30 * time.Second
	s.StartSecs = time.Second
	s.StartRetries = 3
	s.StartLimitInterval = 10 * time.Second
	s.TimeoutStartSec = 90 * time.Second
	s.TimeoutStopSec = 10 * time.Second
	s.KillSignal = 15 // SIGTERM
	s.KillMode = KillControlGroup
	s.SendSIGKILL = true
	s.Priority = 999
	s.SyslogFacility = "daemon"
	s.SyslogLevel = "info"
	s.SyslogErrorLevel = "err"
	s.SyslogFormat = "rfc3164"
	s.LogMaxBytes = 50 << 20 // Supervisor's 50MB counts in 1024s, as LogMaxBytes= does
	s.LogBackups = journal.DefaultBackups
	s.LogOverflow = "block"
	return u
}

// unknown reports an unknown section (once) or directive, with the nearest
// known name as a suggestion.
func unknown(errs *ErrorList, path string, o option, reported map[string]bool) {
	if !isKnownSection(o.section) {
		if !reported[path+"\x00"+o.section] {
			reported[path+"\x00"+o.section] = true
			errs.Addf(path, o.header, "", "", "unknown section [%s]%s (svunit reads [Unit], [Service] and [Install]; prefix your own with X-)",
				o.section, suggest(o.section, knownSections, "[", "]"))
		}
		return
	}
	var same []string
	for _, d := range table {
		if d.Section == o.section {
			same = append(same, d.Name)
		}
	}
	for _, d := range table {
		if d.Name == o.name {
			errs.Addf(path, o.line, o.section, o.name, "belongs in [%s], not [%s] (move it)", d.Section, o.section)
			return
		}
	}
	errs.Addf(path, o.line, o.section, o.name, "unknown directive%s (see docs/directives.md; prefix your own with X-)", suggest(o.name, same, "", "="))
}

func isKnownSection(s string) bool {
	for _, k := range knownSections {
		if s == k {
			return true
		}
	}
	return false
}

// suggest returns "; did you mean [Service]?" for the nearest candidate
// within a few edits, or "".
func suggest(name string, candidates []string, pre, post string) string {
	best := nearest(name, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s%s%s?", pre, best, post)
}

// nearest returns the candidate closest to name, ignoring case, if it is
// within a few edits (more for longer names), or "".
func nearest(name string, candidates []string) string {
	best, bestDist := "", max(3, len(name)/3+1)
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestDist && d < len(name) {
			best, bestDist = c, d
		}
	}
	return best
}

// check validates what no single directive can: required and conflicting
// directives, and template-only settings. It also sets the defaults that
// depend on other directives (TimeoutStartSec= of a oneshot,
// SyslogIdentifier=).
func check(u *Unit, sections map[string]int, errs *ErrorList) {
	s := &u.Service
	at := func(key string) (string, int) {
		if f, l := u.Where(key); l > 0 {
			return f, l
		}
		return u.Path, sections[strings.SplitN(key, ".", 2)[0]]
	}
	add := func(key, format string, args ...any) {
		file, line := at(key)
		section, directive, _ := strings.Cut(key, ".")
		errs.Addf(file, line, section, directive, format, args...)
	}
	switch {
	case len(s.ExecStart) == 0 && !errs.has("Service", "ExecStart"): // a reset (ExecStart=) alone leaves none
		add("Service.ExecStart", "missing: every unit needs the program to run (e.g. ExecStart=/usr/bin/python3 -m http.server)")
	case len(s.ExecStart) > 1 && s.Type != Oneshot:
		errs.Addf(s.ExecStart[1].File, s.ExecStart[1].Line, "Service", "ExecStart", "%d commands, but only Type=oneshot runs several (remove the extra ones, or set Type=oneshot)", len(s.ExecStart))
	}
	if s.Type == Oneshot && (s.Restart == RestartAlways || s.Restart == RestartOnSuccess) {
		add("Service.Restart", "Restart=%s cannot be used with Type=oneshot (use on-failure or no)", s.Restart)
	}
	if s.RestartMaxDelaySec < s.RestartSec && s.RestartSteps > 0 {
		add("Service.RestartMaxDelaySec", "%v is shorter than RestartSec=%v (raise it, or set RestartSteps=0 for a fixed delay)", s.RestartMaxDelaySec, s.RestartSec)
	}
	if u.Lines["Service.Instances"] > 0 && u.Template == "" {
		add("Service.Instances", "only a template can have instances (rename the file to NAME@.unit)")
	}
	if s.Type == Oneshot && u.Lines["Service.TimeoutStartSec"] == 0 && u.Lines["Service.TimeoutSec"] == 0 {
		// systemd's default: a oneshot may run as long as it needs (a
		// migration, a backup) unless a timeout is set.
		s.TimeoutStartSec = Infinity
	}
	if s.SyslogIdentifier == "" {
		s.SyslogIdentifier = strings.TrimSuffix(strings.TrimSuffix(u.Name, ".unit"), ".service")
	}
}
