package compat

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the samples in contrib/rc.d from the generators")

// A sample is one file in contrib/rc.d, the options that produce it and how
// to install it by hand.
type sample struct {
	file    string
	target  Target
	opts    Options
	install string
}

const sampleExe = "/usr/local/bin/svunit"

var samples = []sample{
	{"freebsd/svunit", FreeBSD, Options{Executable: sampleExe}, "`/usr/local/etc/rc.d/svunit`, then `sysrc svunit_enable=YES`"},
	{"openbsd/svunit", OpenBSD, Options{Executable: sampleExe}, "`/etc/rc.d/svunit`, then `rcctl enable svunit`"},
	{"netbsd/svunit", NetBSD, Options{Executable: sampleExe}, "`/etc/rc.d/svunit`, then `svunit=YES` in `/etc/rc.conf`"},
	{"init.d/svunit", SysV, Options{Executable: sampleExe}, "`/etc/init.d/svunit`, then `update-rc.d svunit defaults` (Debian) or `chkconfig --add svunit`"},
	{"openrc/svunit", OpenRC, Options{Executable: sampleExe}, "`/etc/init.d/svunit`, then `rc-update add svunit default`"},
	{"upstart/svunit.conf", Upstart, Options{Executable: sampleExe}, "`/etc/init/svunit.conf`"},
	{"launchd/svunit.plist", Launchd, Options{Executable: sampleExe}, "`/Library/LaunchDaemons/svunit.plist`, then `launchctl load` it"},
	{"launchd/svunit-user.plist", Launchd, Options{Executable: sampleExe, User: true, LogFile: "/Users/Shared/svunit.log"}, "`~/Library/LaunchAgents/svunit.plist` (the log path is an example)"},
	{"systemd/svunit.service", Systemd, Options{Executable: sampleExe}, "`/etc/systemd/system/svunit.service`, then `systemctl enable --now svunit`"},
	{"systemd/svunit-user.service", Systemd, Options{Executable: sampleExe, User: true}, "`~/.config/systemd/user/svunit.service`, then `systemctl --user enable --now svunit`"},
}

// sampleIndex is contrib/rc.d/README.md, generated from samples.
func sampleIndex() []byte {
	var b strings.Builder
	b.WriteString(`# Init-system wrappers for svunit

Each file here runs ` + "`svunit daemon`" + ` under one init system, for the binary at
` + "`" + sampleExe + "`" + `. They, and this index, are generated: ` + "`svunit generate TARGET`" + `
prints each, a test keeps them byte for byte equal to it (` + "`go test ./compat`" + `),
and ` + "`go test ./compat -update`" + ` rewrites them. Do not edit them: generate your own
with your paths, or let ` + "`svunit install-service`" + ` write and enable the right one.
See [docs/install.md](../../docs/install.md).

| file | generate | install as |
|---|---|---|
`)
	for _, s := range samples {
		args := string(s.target)
		if s.opts.User {
			args += " --user"
		}
		fmt.Fprintf(&b, "| `%s` | `svunit generate %s` | %s |\n", s.file, args, s.install)
	}
	return []byte(b.String())
}

// checkGolden compares got with the file at path, or writes it there (with
// mode) under -update.
func checkGolden(t *testing.T, path string, got []byte, mode os.FileMode) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, mode); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./compat -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the generators write now; run go test ./compat -update and review the diff", path)
	}
}

// TestSamples keeps contrib/rc.d byte for byte equal to the generators'
// output; go test ./compat -update rewrites it.
func TestSamples(t *testing.T) {
	dir := filepath.Join("..", "contrib", "rc.d")
	for _, s := range samples {
		got, err := Generate(s.target, s.opts)
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(string(got), "#!") {
			mode = 0o755
		}
		checkGolden(t, filepath.Join(dir, filepath.FromSlash(s.file)), got, mode)
	}
	checkGolden(t, filepath.Join(dir, "README.md"), sampleIndex(), 0o644)
}

// hostile is a path holding every character that means something to a shell,
// to XML or to systemd.
const hostile = "/tmp/svunit test/it's \"quoted\" $HOME `x` \\back\\slash\n<b>&amp; 100% {{x}}; *?"

func shellTargets() []Target { return []Target{FreeBSD, OpenBSD, NetBSD, SysV, OpenRC} }

// TestShellSyntax runs sh -n, dash -n and shellcheck on every shell wrapper,
// with plain paths and with hostile ones where the target accepts them.
func TestShellSyntax(t *testing.T) {
	for _, tgt := range shellTargets() {
		for _, o := range []Options{
			{Executable: sampleExe},
			{Executable: sampleExe, Units: hostile + "/units", Bus: hostile + "/bus", LogFile: hostile + "/log"},
			{Executable: sampleExe, Units: reevaluable + "/units", Bus: reevaluable + "/bus"},
			{Executable: hostile + "/svunit", Units: hostile},
		} {
			script, err := Generate(tgt, o)
			if err != nil {
				if o.Executable == sampleExe && o.Units == "" {
					t.Fatalf("%s with plain paths: %v", tgt, err)
				}
				continue
			}
			path := filepath.Join(t.TempDir(), "script")
			if err := os.WriteFile(path, script, 0o755); err != nil {
				t.Fatal(err)
			}
			// With hostile paths, shellcheck's info notes (SC2016: "expressions
			// don't expand in single quotes") describe exactly what quoting is for.
			check := []string{"shellcheck", path}
			if o.Units != "" {
				check = []string{"shellcheck", "--severity=warning", path}
			}
			for _, argv := range [][]string{{"sh", "-n", path}, {"dash", "-n", path}, check} {
				if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
					t.Errorf("%s %+v: %s: %v\n%s\n--- script:\n%s", tgt, o, argv[0], err, out, script)
				}
			}
		}
	}
}

// TestRejects checks that values a target cannot represent are refused with
// an error that names them, never written.
func TestRejects(t *testing.T) {
	cases := []struct {
		target Target
		opts   Options
		want   string
	}{
		{FreeBSD, Options{Executable: "/opt/my svunit/svunit"}, "executable"},
		{OpenBSD, Options{Executable: sampleExe, Units: "/etc/svunit/my units"}, "daemon argument"},
		{NetBSD, Options{Executable: "/opt/$x/svunit"}, "executable"},
		{OpenRC, Options{Executable: sampleExe, LogFile: "/var/log/a b.log"}, "log file"},
		{OpenRC, Options{Executable: sampleExe, Units: "/a\nb"}, "white space"},
		{FreeBSD, Options{Executable: sampleExe, Units: "/a  b"}, "two spaces"},
		{FreeBSD, Options{Executable: sampleExe, Bus: "/run/*"}, "globs"},
		{SysV, Options{Executable: sampleExe, Units: "/a\x00b"}, "NUL"},
		{Launchd, Options{Executable: sampleExe, Units: "/a\x01b"}, "XML"},
		{Launchd, Options{Executable: sampleExe, Units: "/a\xffb"}, "UTF-8"},
		{Systemd, Options{Executable: sampleExe, Bus: "/a\xffb"}, "UTF-8"},
		{Systemd, Options{Executable: "svunit"}, "absolute"},
		{Systemd, Options{Executable: "/opt/a\nb/svunit"}, "refuses"},
		{Systemd, Options{Executable: `/opt/it's/svunit`}, "refuses"},
		{Systemd, Options{Executable: sampleExe, Units: "units"}, "absolute"},
		{SysV, Options{Executable: sampleExe, User: true}, "per-user"},
		{FreeBSD, Options{Executable: sampleExe, Name: "sv-unit"}, "service name"},
		{Systemd, Options{Executable: sampleExe, Name: "a/b"}, "service name"},
		{Upstart, Options{Executable: sampleExe, Units: "/a\nb"}, "control character"},
	}
	for _, c := range cases {
		out, err := Generate(c.target, c.opts)
		if err == nil {
			t.Errorf("%s %+v: accepted, wrote:\n%s", c.target, c.opts, out)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: error %q does not mention %q", c.target, c.opts, err, c.want)
		}
	}
	if _, err := ParseTarget("runit"); err == nil || !strings.Contains(err.Error(), "openbsd-rc.d") {
		t.Errorf("ParseTarget(runit) = %v, want an error listing the targets", err)
	}
}

// TestHostileGolden records each target's output (or refusal) for hostile
// paths in testdata/hostile, so that a change in quoting shows in review;
// go test ./compat -update rewrites them.
func TestHostileGolden(t *testing.T) {
	o := Options{Executable: sampleExe, Units: hostile + "/units", Bus: hostile + "/bus", LogFile: hostile + "/log"}
	for _, tgt := range Targets {
		got, err := Generate(tgt, o)
		if err != nil {
			got = []byte("error: " + err.Error() + "\n")
		}
		checkGolden(t, filepath.Join("testdata", "hostile", string(tgt)+".golden"), got, 0o644)
	}
}

// TestShellQuoteRoundTrip passes many awkward strings through ShellQuote
// and one real sh and dash, and checks that each comes back unchanged.
func TestShellQuoteRoundTrip(t *testing.T) {
	words := []string{"", "'", "''", `\`, "\n", "a b", "$HOME", "`id`", "$(id)", "*", "~", "-n", "!", "#x", "a'b\"c", "\t", hostile, reevaluable}
	for i := 1; i < 128; i++ {
		words = append(words, string(rune(i)), "x"+string(rune(i))+"y")
	}
	words = append(words, "é", "日本", "\u00a0")
	var script strings.Builder
	script.WriteString("printf '%s\\000'")
	for _, w := range words {
		q, err := ShellQuote(w)
		if err != nil {
			t.Fatal(err)
		}
		script.WriteString(" " + q)
	}
	for _, shell := range []string{"sh", "dash"} {
		out, err := exec.Command(shell, "-c", script.String()).Output()
		if err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if len(got) != len(words) {
			t.Fatalf("%s: %d words back, want %d", shell, len(got), len(words))
		}
		for i := range words {
			if got[i] != words[i] {
				t.Errorf("%s: %q came back as %q", shell, words[i], got[i])
			}
		}
	}
}
