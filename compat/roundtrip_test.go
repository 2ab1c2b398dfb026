package compat

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as a stand-in for the svunit binary: with
// SVUNIT_COMPAT_RECORD set it writes its arguments there as JSON and exits,
// so a test can see exactly which argv a generated wrapper produced.
func TestMain(m *testing.M) {
	if out := os.Getenv("SVUNIT_COMPAT_RECORD"); out != "" {
		recordArgs(out)
		return
	}
	os.Exit(m.Run())
}

// recordArgs writes os.Args[1:] to path as JSON, via a rename so that a
// reader never sees half of it.
func recordArgs(path string) {
	b, _ := json.Marshal(os.Args[1:])
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Exit(1)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// waitFile waits up to 10 s for path to exist and returns its content.
func waitFile(t *testing.T, path string) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within 10s: %v", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hostileDir makes a directory whose name is the hostile string and returns
// it; t.Cleanup removes it.
func hostileDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(hostile))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLaunchdPlist parses the plist with Python's plistlib and checks that
// ProgramArguments is exactly the argv svunit needs, hostile paths included.
func TestLaunchdPlist(t *testing.T) {
	for _, o := range []Options{
		{Executable: sampleExe},
		{Executable: hostile + "/svunit", User: true, Units: hostile, Bus: hostile + "/bus", LogFile: hostile + "/log", Name: "dev.svunit.agent"},
	} {
		plist, err := Generate(Launchd, o)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("/usr/bin/python3", "-c",
			"import json, plistlib, sys; json.dump(plistlib.loads(sys.stdin.buffer.read()), sys.stdout)")
		cmd.Stdin = bytes.NewReader(plist)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("plistlib rejects the plist: %v\n%s", err, plist)
		}
		var got struct {
			Label             string
			ProgramArguments  []string
			RunAtLoad         bool
			StandardErrorPath string
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		want := append([]string{o.Executable}, o.DaemonArgs()...)
		if !slices.Equal(got.ProgramArguments, want) {
			t.Errorf("ProgramArguments = %q, want %q", got.ProgramArguments, want)
		}
		if got.Label != o.name() || !got.RunAtLoad || got.StandardErrorPath != o.logFile() {
			t.Errorf("plist = %+v, want Label %q, RunAtLoad, log %q", got, o.name(), o.logFile())
		}
	}
}

// TestSystemdVerify runs systemd-analyze verify on the unit. verify resolves
// ExecStart='s first word and fails unless it names an executable file, so a
// hostile executable path also checks that systemd unquotes it back.
func TestSystemdVerify(t *testing.T) {
	// systemd refuses control characters, quotes and backslashes in an
	// executable's path, so this one holds the other hostile characters;
	// TestRejects covers those.
	dir := filepath.Join(t.TempDir(), strings.Map(func(r rune) rune {
		if strings.ContainsRune("\n'\"\\", r) {
			return '_'
		}
		return r
	}, filepath.Base(hostile)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "svunit")
	if err := os.Symlink("/bin/true", exe); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{
		{Executable: "/bin/true"},
		{Executable: "/bin/true", User: true},
		{Executable: exe, Units: hostile, Bus: hostile + "/bus"},
	} {
		unit, err := Generate(Systemd, o)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "svunit.service")
		if err := os.WriteFile(path, unit, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"verify", "--man=no"}
		if o.User {
			args = append(args, "--user")
		}
		cmd := exec.Command("systemd-analyze", append(args, path)...)
		cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=notice", "XDG_RUNTIME_DIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s\n--- unit:\n%s", err, out, unit)
		}
	}
}

// rcSubrStub stands in for the BSD rc.subr and OpenRC's start code, which
// cannot run on Linux (TestOpenRCInstall in compat/service runs the real
// OpenRC): it evaluates the variables the way OpenRC's supervise-daemon.sh
// does, unquoted (split, globbed, then evaluated), which is the harshest
// way FreeBSD's rc.subr could, and runs the result.
const rcSubrStub = `
load_rc_config() { :; }
check_pidfile() { :; }
run_rc_command() {
	if [ -n "$start_cmd" ]; then "$start_cmd"; return; fi
	eval set -- $command $rc_flags $command_args
	shift 7 # daemon(8) and its flags: -f -S -T NAME -p PIDFILE
	"$@"
}
openrc_start() {
	eval set -- $command $command_args
	"$@"
}
`

// reevaluable is the most hostile path a doubly evaluated argument list
// (FreeBSD, OpenRC) can carry: checkReevaluated refuses newlines, runs of
// spaces and glob characters there.
const reevaluable = "/tmp/svunit test/it's \"quoted\" $HOME `x` \\back\\slash <b>&amp; 100% {{x}};"

// TestShellRoundTrip runs each shell wrapper's command with hostile paths
// through a real sh and dash and checks the argv the daemon receives.
func TestShellRoundTrip(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := hostileDir(t)
	plainExe := filepath.Join(t.TempDir(), "svunit")
	if err := os.Symlink(self, plainExe); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		target Target
		exe    string
		run    string // what runs the script after the stub is loaded
	}{
		{FreeBSD, plainExe, `run_rc_command start`},
		{NetBSD, plainExe, `pidfile="$TEST_PIDFILE"; run_rc_command start; wait`},
		{OpenRC, plainExe, `openrc_start`},
	}
	for _, shell := range []string{"sh", "dash"} {
		for _, c := range cases {
			o := Options{Executable: c.exe, Units: reevaluable + "/units", Bus: reevaluable + "/bus"}
			if c.target == NetBSD {
				o.LogFile = filepath.Join(dir, "log")
			}
			script, err := Generate(c.target, o)
			if err != nil {
				t.Fatal(err)
			}
			// Load the stub in place of rc.subr and drop the final dispatch.
			body := strings.NewReplacer(". /etc/rc.subr\n", rcSubrStub, `run_rc_command "$1"`+"\n", c.run+"\n").Replace(string(script))
			if c.target == OpenRC {
				body = rcSubrStub + body + c.run + "\n"
			}
			record := filepath.Join(t.TempDir(), "argv.json")
			cmd := exec.Command(shell, "-c", body)
			cmd.Env = append(os.Environ(), "SVUNIT_COMPAT_RECORD="+record, "TEST_PIDFILE="+filepath.Join(t.TempDir(), "pid"))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", shell, c.target, err, out)
			}
			var got []string
			if err := json.Unmarshal(waitFile(t, record), &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, o.DaemonArgs()) {
				t.Errorf("%s %s: daemon got %q, want %q", shell, c.target, got, o.DaemonArgs())
			}
		}
	}
}

// TestUpstartExec runs the Upstart job's exec stanza the way Upstart runs
// one that holds shell characters (/bin/sh -e -c) and checks the argv.
func TestUpstartExec(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "svunit")
	if err := os.Symlink(self, exe); err != nil {
		t.Fatal(err)
	}
	oneLine := strings.ReplaceAll(hostile, "\n", " ")
	o := Options{Executable: exe, Units: oneLine + "/units", Bus: oneLine + "/bus"}
	job, err := Generate(Upstart, o)
	if err != nil {
		t.Fatal(err)
	}
	var stanza string
	for _, line := range strings.Split(string(job), "\n") {
		if strings.HasPrefix(line, "exec ") {
			stanza = line
		}
	}
	record := filepath.Join(t.TempDir(), "argv.json")
	cmd := exec.Command("/bin/sh", "-e", "-c", stanza)
	cmd.Env = append(os.Environ(), "SVUNIT_COMPAT_RECORD="+record)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", stanza, err, out)
	}
	var got []string
	if err := json.Unmarshal(waitFile(t, record), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, o.DaemonArgs()) {
		t.Errorf("the daemon got %q, want %q", got, o.DaemonArgs())
	}
}
