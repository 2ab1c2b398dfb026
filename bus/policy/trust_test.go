package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"svunit.dev/svunit/units"
)

// nobodyID is Debian's nobody and nogroup.
const nobodyID = 65534

// TestCheckTrusted builds real files with real owners and modes (the test
// runs as root) and checks sudo's rule on each.
func TestCheckTrusted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the trust tests chown files, so they run as root (CI does)")
	}
	dir := t.TempDir() // root's, 0700, below the sticky /tmp
	file := func(name string, mode os.FileMode, uid, gid int) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("[Service]\nExecStart=/bin/true\n"), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("good.unit", 0o644, 0, 0)
	rootGroupWritable := file("rootgroup.unit", 0o664, 0, 0)
	groupWritable := file("group.unit", 0o664, 0, nobodyID)
	worldWritable := file("world.unit", 0o646, 0, 0)
	notRoots := file("nobody.unit", 0o644, nobodyID, 0)
	link := filepath.Join(dir, "link.unit")
	os.Symlink(groupWritable, link)
	openDir := filepath.Join(dir, "open")
	os.Mkdir(openDir, 0o777)
	os.Chmod(openDir, 0o777)
	inOpenDir := file("open/x.unit", 0o644, 0, 0)

	cases := []struct {
		path, want string // want "" = trusted
	}{
		{good, ""},
		{rootGroupWritable, ""},
		{filepath.Join(dir, "missing.unit"), ""},
		{groupWritable, "is writable by group nogroup (65534) (mode 0664)"},
		{worldWritable, "is writable by everyone"},
		{notRoots, "is owned by uid 65534 (nobody), not root"},
		{link, groupWritable + " is writable by group"},
		{inOpenDir, openDir + " is writable by everyone"},
		{filepath.Join(openDir, "missing.unit"), openDir + " is writable by everyone"},
	}
	for _, c := range cases {
		err := CheckTrusted(c.path)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.path, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error containing %q", c.path, err, c.want)
		}
	}
}

// TestLoadDirRefuses loads a directory with one unit file its group may
// write, and one whose EnvironmentFile= anyone may write.
func TestLoadDirRefuses(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the trust tests chown files, so they run as root (CI does)")
	}
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode, gid int) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), mode)
		os.Chmod(p, mode)
		os.Chown(p, 0, gid)
		return p
	}
	write("good.unit", "[Service]\nExecStart=/bin/true\n", 0o644, 0)
	bad := write("bad.unit", "[Service]\nExecStart=/bin/true\n", 0o664, nobodyID)
	env := write("env", "A=1\n", 0o666, 0)
	write("envuser.unit", "[Service]\nExecStart=/bin/true\nEnvironmentFile="+env+"\n", 0o644, 0)
	set, err := LoadDir(dir)
	if set == nil || len(set.Units()) != 1 || set.Get("good.unit") == nil {
		t.Fatalf("loaded %v, want good.unit only (err %v)", set, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, bad+": "+bad+" is writable by group") || !strings.Contains(msg, "and 1 more") {
		t.Errorf("error: %v", err)
	}

	os.Chmod(dir, 0o777)
	set, err = LoadDir(dir)
	if len(set.Units()) != 0 || err == nil || !strings.Contains(err.Error(), "unit directory: "+dir+" is writable by everyone") {
		t.Errorf("a world-writable unit directory: %d units, %v", len(set.Units()), err)
	}
}

// TestLoadDirRefusesDropIns refuses a unit whose drop-in its group may
// write, and one whose drop-in directory anyone may write.
func TestLoadDirRefusesDropIns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the trust tests chown files, so they run as root (CI does)")
	}
	dir := t.TempDir()
	for name, mode := range map[string]os.FileMode{"good.unit": 0o644, "file.unit": 0o644, "dir.unit": 0o644, "good.unit.d/a.conf": 0o644, "file.unit.d/a.conf": 0o664, "dir.unit.d/a.conf": 0o644} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		content := "[Service]\nExecStart=/bin/true\n"
		if filepath.Ext(name) == ".conf" {
			content = "[Service]\nRestartSec=2s\n"
		}
		os.WriteFile(p, []byte(content), mode)
		os.Chmod(p, mode)
		os.Chown(p, 0, nobodyID)
	}
	os.Chmod(filepath.Join(dir, "dir.unit.d"), 0o777)
	set, err := LoadDir(dir)
	if set == nil || len(set.Units()) != 1 || set.Get("good.unit") == nil {
		t.Fatalf("loaded %v, want good.unit only (err %v)", set, err)
	}
	var el units.ErrorList
	errors.As(err, &el)
	var got []string
	for _, e := range el {
		got = append(got, e.Error())
	}
	want := []string{
		filepath.Join(dir, "dir.unit") + ": " + filepath.Join(dir, "dir.unit.d") + " is writable by everyone (mode 0777)",
		filepath.Join(dir, "file.unit") + ": " + filepath.Join(dir, "file.unit.d/a.conf") + " is writable by group",
	}
	if len(got) != len(want) {
		t.Fatalf("errors %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %q, want it to start with %q", got[i], want[i])
		}
	}
}

// TestRootOnlyRules refuses an access.conf its group may write, at start
// and when it becomes so later.
func TestRootOnlyRules(t *testing.T) {
	file := filepath.Join(t.TempDir(), "access.conf")
	os.WriteFile(file, []byte("[web]\nAllowUsers=daemon:stop\n"), 0o644)
	p, err := New(Config{File: file, RootOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(file, 0o646)
	if err := p.Reload(); err == nil || !strings.Contains(err.Error(), "is writable by everyone") {
		t.Errorf("reload of a world-writable access.conf: %v", err)
	}
	if _, err := New(Config{File: file, RootOnly: true}); err == nil {
		t.Errorf("New accepted a world-writable access.conf")
	}
}
