package units

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// writeTree writes relative path → content files (directories made as
// needed) into a fresh directory; a content of "->TARGET" makes a symlink.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadOne(t *testing.T, dir, name string) *Unit {
	t.Helper()
	us, err := LoadFile(filepath.Join(dir, name))
	if err != nil || len(us) != 1 {
		t.Fatalf("LoadFile(%s) = %d units, %v", name, len(us), err)
	}
	return us[0]
}

func argvs(cmds []Command) [][]string {
	var out [][]string
	for _, c := range cmds {
		out = append(out, c.Argv)
	}
	return out
}

// TestDropInsApplyInOrder checks that NAME.unit.d/*.conf apply after the
// unit file, sorted by name, that an empty assignment resets a list, and
// that Where places each directive in the file that set it last.
func TestDropInsApplyInOrder(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"web.unit":                "[Unit]\nDescription=web\n[Service]\nExecStart=/bin/a\nEnvironment=A=1 B=2\nRestartSec=1s\n",
		"web.unit.d/20-late.conf": "[Service]\nEnvironment=C=3\nRestartSec=3s\n",
		"web.unit.d/10-cmd.conf":  "# replace the command\n[Service]\nExecStart=\nExecStart=/bin/b x\nEnvironment=\nRestartSec=2s\n",
		"web.unit.d/README":       "not a drop-in",
		"web.unit.d/.hidden.conf": "[Service]\nRestartSec=9s\n",
	})
	u := loadOne(t, dir, "web.unit")
	if got, want := argvs(u.Service.ExecStart), [][]string{{"/bin/b", "x"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ExecStart = %q, want %q", got, want)
	}
	if got, want := u.Service.Environment, []string{"C=3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Environment = %q, want %q", got, want)
	}
	if u.Service.RestartSec.Seconds() != 3 {
		t.Errorf("RestartSec = %v, want 3s (the last drop-in wins)", u.Service.RestartSec)
	}
	d := filepath.Join(dir, "web.unit.d")
	if want := []string{filepath.Join(d, "10-cmd.conf"), filepath.Join(d, "20-late.conf")}; !reflect.DeepEqual(u.DropInPaths, want) {
		t.Errorf("DropInPaths = %q, want %q", u.DropInPaths, want)
	}
	for key, want := range map[string]string{
		"Unit.Description":    filepath.Join(dir, "web.unit") + ":2",
		"Service.ExecStart":   filepath.Join(d, "10-cmd.conf") + ":4",
		"Service.RestartSec":  filepath.Join(d, "20-late.conf") + ":3",
		"Service.Environment": filepath.Join(d, "20-late.conf") + ":2",
	} {
		if f, l := u.Where(key); f+":"+strconv.Itoa(l) != want {
			t.Errorf("Where(%s) = %s:%d, want %s", key, f, l, want)
		}
	}
	if c := u.Service.ExecStart[0]; c.File != filepath.Join(d, "10-cmd.conf") || c.Line != 4 {
		t.Errorf("ExecStart written at %s:%d, want 10-cmd.conf:4", c.File, c.Line)
	}
}

// TestDropInsOfTemplates checks systemd's rules for instances: the
// template's TEMPLATE@.unit.d applies to every instance, the instance's own
// directory to it alone, all sorted by file name together; a name in the
// instance's directory replaces the template's, and a link to /dev/null
// masks it.
func TestDropInsOfTemplates(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"w@.unit":                 "[Service]\nExecStart=/bin/w %i\nInstances=3\n",
		"w@.unit.d/10-desc.conf":  "[Unit]\nDescription=from the template\n",
		"w@.unit.d/30-env.conf":   "[Service]\nEnvironment=T=1\n",
		"w@2.unit.d/10-desc.conf": "[Unit]\nDescription=two\n",
		"w@2.unit.d/20-env.conf":  "[Service]\nEnvironment=I=2\n",
		"w@3.unit.d/30-env.conf":  "->/dev/null",
		"x@.unit":                 "[Service]\nExecStart=/bin/x %i\n",
		"x@.unit.d/10-a.conf":     "[Service]\nRestartSec=5s\n",
		"x@a.unit":                "->x@.unit",
		"x@a.unit.d/20-b.conf":    "[Service]\nRestartSec=6s\n",
	})
	set, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, desc string
		env        []string
		dropIns    []string
	}{
		{"w@1.unit", "from the template", []string{"T=1"}, []string{"w@.unit.d/10-desc.conf", "w@.unit.d/30-env.conf"}},
		{"w@2.unit", "two", []string{"I=2", "T=1"}, []string{"w@2.unit.d/10-desc.conf", "w@2.unit.d/20-env.conf", "w@.unit.d/30-env.conf"}},
		{"w@3.unit", "from the template", nil, []string{"w@.unit.d/10-desc.conf"}},
	} {
		u := set.Get(tc.name)
		if u == nil {
			t.Fatalf("%s not loaded", tc.name)
		}
		if u.Description != tc.desc || !reflect.DeepEqual(u.Service.Environment, tc.env) {
			t.Errorf("%s: Description=%q Environment=%q, want %q %q", tc.name, u.Description, u.Service.Environment, tc.desc, tc.env)
		}
		if got := relative(dir, u.DropInPaths); !reflect.DeepEqual(got, tc.dropIns) {
			t.Errorf("%s: DropInPaths = %q, want %q", tc.name, got, tc.dropIns)
		}
	}
	u := set.Get("x@a.unit")
	if u.Service.RestartSec.Seconds() != 6 || !reflect.DeepEqual(relative(dir, u.DropInPaths), []string{"x@.unit.d/10-a.conf", "x@a.unit.d/20-b.conf"}) {
		t.Errorf("x@a.unit: RestartSec=%v DropInPaths=%q", u.Service.RestartSec, u.DropInPaths)
	}
}

func relative(dir string, paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, strings.TrimPrefix(p, dir+"/"))
	}
	return out
}

// TestDropInErrors checks that a problem in a drop-in is reported at the
// drop-in's file and line, every one of them, and that the unit is refused.
func TestDropInErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"bad values", map[string]string{
			"a.unit.d/10-x.conf": "[Service]\nRestartSec=soon\nRestrat=always\n",
			"a.unit.d/20-y.conf": "[Servce]\nUser=root\n",
		}, []string{
			`a.unit.d/10-x.conf:2: Service.RestartSec: "soon" is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)`,
			"a.unit.d/10-x.conf:3: Service.Restrat: unknown directive; did you mean Restart=? (see docs/directives.md; prefix your own with X-)",
			"a.unit.d/20-y.conf:1: unknown section [Servce]; did you mean [Service]? (svunit reads [Unit], [Service] and [Install]; prefix your own with X-)",
		}},
		{"syntax", map[string]string{
			"a.unit.d/10-x.conf": "RestartSec=1s\n[Service]\nExecStart=/bin/sh -c 'oops\n",
		}, []string{
			"a.unit.d/10-x.conf:1: RestartSec= comes before any section header (put it under [Unit], [Service] or [Install])",
		}},
		{"reset leaves no command", map[string]string{
			"a.unit.d/10-x.conf": "[Service]\n\nExecStart=\n",
		}, []string{
			"a.unit.d/10-x.conf:3: Service.ExecStart: missing: every unit needs the program to run (e.g. ExecStart=/usr/bin/python3 -m http.server)",
		}},
		{"second command", map[string]string{
			"a.unit.d/10-x.conf": "[Service]\nExecStart=/bin/b\n",
		}, []string{
			"a.unit.d/10-x.conf:2: Service.ExecStart: 2 commands, but only Type=oneshot runs several (remove the extra ones, or set Type=oneshot)",
		}},
		{"not a file", map[string]string{
			"a.unit.d/10-x.conf/keep": "",
		}, []string{
			"a.unit.d/10-x.conf: not a regular file (a drop-in must be a file or a symlink to one)",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["a.unit"] = "[Service]\nExecStart=/bin/a\n"
			dir := writeTree(t, tc.files)
			us, err := LoadFile(filepath.Join(dir, "a.unit"))
			if got := errorStrings(err, dir); !reflect.DeepEqual(got, tc.want) || len(us) != 0 {
				t.Errorf("%d units, errors:\n%s\nwant:\n%s", len(us), strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestDropInCrossUnitErrors checks that checks across units point at the
// drop-in that set the directive.
func TestDropInCrossUnitErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.unit":             "[Service]\nExecStart=/bin/a\nStandardOutput=file:/tmp/x.log\n",
		"b.unit":             "[Service]\nExecStart=/bin/b\n",
		"b.unit.d/log.conf":  "[Service]\nStandardOutput=file:/tmp/x.log\n",
		"c.unit":             "[Service]\nExecStart=/bin/c\n",
		"c.unit.d/deps.conf": "[Unit]\nRequires=nothere\n",
	})
	_, err := LoadDir(dir)
	want := []string{
		"a.unit:3: Service.StandardOutput: a.unit and b.unit both write to /tmp/x.log (b.unit.d/log.conf:2); two units may not share a log file: give each its own (in a template, put %i in the path)",
		"b.unit.d/log.conf:2: Service.StandardOutput: b.unit and a.unit both write to /tmp/x.log (a.unit:3); two units may not share a log file: give each its own (in a template, put %i in the path)",
		"c.unit.d/deps.conf:2: Unit.Requires: c.unit requires nothere.unit, which is not loaded (add nothere.unit, fix its errors, or use Wants=)",
	}
	if got := errorStrings(err, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDropInChangesUnit checks that a reload sees an added, changed or
// removed drop-in as a change of its unit, and that Owns tells which unit
// a drop-in's error belongs to.
func TestDropInChangesUnit(t *testing.T) {
	dir := writeTree(t, map[string]string{"web.service": "[Service]\nExecStart=/bin/web\n"})
	base := loadOne(t, dir, "web.service")
	conf := filepath.Join(dir, "web.service.d", "10-x.conf")
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		what, content string
		equal         bool
	}{
		{"an added drop-in", "[Service]\nRestartSec=7s\n", false},
		{"the same drop-in again", "[Service]\nRestartSec=7s\n", true},
		{"a changed drop-in", "[Service]\nRestartSec=8s\n", false},
		{"an added drop-in that sets nothing", "# nothing yet\n", false},
	}
	prev := base
	for _, s := range steps {
		if err := os.WriteFile(conf, []byte(s.content), 0o644); err != nil {
			t.Fatal(err)
		}
		u := loadOne(t, dir, "web.service")
		if u.Equal(prev) != s.equal {
			t.Errorf("%s: Equal = %v, want %v", s.what, !s.equal, s.equal)
		}
		prev = u
	}
	if err := os.Remove(conf); err != nil {
		t.Fatal(err)
	}
	if u := loadOne(t, dir, "web.service"); u.Equal(prev) || !u.Equal(base) || len(u.DropInPaths) != 0 {
		t.Errorf("a removed drop-in: Equal(before) = %v, Equal(no drop-in) = %v, DropInPaths %q", u.Equal(prev), u.Equal(base), u.DropInPaths)
	}
	for file, want := range map[string]bool{
		filepath.Join(dir, "web.service"): true,
		conf:                              true,
		filepath.Join(dir, "web.service.d", "new.conf"):    true,
		filepath.Join(dir, "web.unit.d", "x.conf"):         false,
		filepath.Join(dir, "other.service.d", "10-x.conf"): false,
	} {
		if base.Owns(file) != want {
			t.Errorf("Owns(%s) = %v, want %v", file, !want, want)
		}
	}
}

// TestDropInErrorOfOneInstance checks that a bad drop-in of one instance
// leaves out that instance only, while a bad drop-in of the template
// leaves out all of them, each reported at the drop-in's line.
func TestDropInErrorOfOneInstance(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"w@.unit":                "[Service]\nExecStart=/bin/w %i\nInstances=3\n",
		"w@2.unit.d/10-bad.conf": "[Service]\nRestartSec=soon\n",
	})
	set, err := LoadDir(dir)
	var names []string
	for _, u := range set.Units() {
		names = append(names, u.Name)
	}
	want := []string{`w@2.unit.d/10-bad.conf:2: Service.RestartSec: "soon" is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)`}
	if got := errorStrings(err, dir); !reflect.DeepEqual(names, []string{"w@1.unit", "w@3.unit"}) || !reflect.DeepEqual(got, want) {
		t.Errorf("loaded %q, errors %q; want w@1 and w@3, and %q", names, got, want)
	}

	if err := os.Rename(filepath.Join(dir, "w@2.unit.d"), filepath.Join(dir, "w@.unit.d")); err != nil {
		t.Fatal(err)
	}
	set, err = LoadDir(dir)
	want = []string{`w@.unit.d/10-bad.conf:2: Service.RestartSec: "soon" is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)`}
	if got := errorStrings(err, dir); len(set.Units()) != 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("a bad template drop-in: %d units, errors %q, want none and %q", len(set.Units()), got, want)
	}
}

// TestDropInNotAFile checks that a drop-in linked to a device other than
// /dev/null is an error, not a mask.
func TestDropInNotAFile(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.unit":             "[Service]\nExecStart=/bin/a\n",
		"a.unit.d/10-x.conf": "->/dev/zero",
	})
	_, err := LoadFile(filepath.Join(dir, "a.unit"))
	want := []string{"a.unit.d/10-x.conf: not a regular file (a drop-in must be a file or a symlink to one)"}
	if got := errorStrings(err, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("errors %q, want %q", got, want)
	}
}
