package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUXUnknownCommand types what people type: typos of svunit's verbs and
// the verbs of supervisorctl and systemctl.
func TestUXUnknownCommand(t *testing.T) {
	bin := buildSvunit(t)
	for _, tc := range []struct {
		args       []string
		verb, want string // the unknown verb, and what stderr must say
	}{
		{[]string{"stauts"}, "stauts", `did you mean "status"?`},
		{[]string{"strat", "web"}, "strat", `did you mean "start"?`},
		{[]string{"stat"}, "stat", `did you mean "status"?`},
		{[]string{"tail", "-f", "web"}, "tail", "'svunit logs UNIT'"},
		{[]string{"signal", "HUP", "web"}, "signal", "'svunit kill -s SIG UNIT'"},
		{[]string{"update"}, "update", "'svunit reload'"},
		{[]string{"help", "reread"}, "reread", "'svunit reload'"},
		{[]string{"daemon-reload"}, "daemon-reload", "'svunit reload'"},
	} {
		out, errOut, code := runSvunit(t, bin, tc.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, fmt.Sprintf("unknown command %q", tc.verb)) || !strings.Contains(errOut, tc.want) {
			t.Errorf("svunit %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", strings.Join(tc.args, " "), code, out, errOut, tc.want)
		}
	}
	_, errOut, _ := runSvunit(t, bin, "bogus")
	if strings.Contains(errOut, "did you mean") {
		t.Errorf("svunit bogus: a far word got a suggestion: %q", errOut)
	}
}

// TestForeignVerbs checks that each hint names verbs svunit has, and that
// no hint hides a verb of svunit's own.
func TestForeignVerbs(t *testing.T) {
	verb := regexp.MustCompile(`'svunit (?:-o json )?([a-z-]+)`)
	for name, hint := range foreignVerbs {
		if lookup(name) != nil {
			t.Errorf("%s is an svunit verb, so its hint is never shown", name)
		}
		for _, m := range verb.FindAllStringSubmatch(hint, -1) {
			if lookup(m[1]) == nil {
				t.Errorf("the hint for %s names 'svunit %s', which does not exist", name, m[1])
			}
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"stop", "stop", 0}, {"stauts", "status", 1}, {"strat", "start", 1},
		{"lsit", "list", 1}, {"stp", "stop", 1}, {"bogus", "logs", 2}, {"", "abc", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestUXBusPath points --bus at the wrong things and reads what the client
// says, with no daemon anywhere.
func TestUXBusPath(t *testing.T) {
	bin := buildSvunit(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	writeTestFile(t, file, "")

	// A directory holding a live socket named bus: the likely meaning.
	withBus := filepath.Join(dir, "run")
	if err := os.Mkdir(withBus, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(withBus, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	// A socket nobody listens on any more.
	dead, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, "dead"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	dead.SetUnlinkOnClose(false)
	dead.Close()

	for _, tc := range []struct {
		bus  string
		want []string
	}{
		{filepath.Join(dir, "none"), []string{"not running", "no bus socket at " + filepath.Join(dir, "none"), "svunit daemon"}},
		{dir, []string{dir + ": it is a directory", "--bus and $SVUNIT_BUS name the socket itself"}},
		{withBus, []string{"it is a directory", "did you mean " + filepath.Join(withBus, "bus") + "?"}},
		{file, []string{file + ": it is not a socket but a regular file", "--bus"}},
		{filepath.Join(dir, "dead"), []string{"nothing listens on " + filepath.Join(dir, "dead"), "svunit daemon"}},
	} {
		for _, verb := range [][]string{{"status"}, {"start", "web"}, {"list"}} {
			args := append([]string{"--bus", tc.bus}, verb...)
			out, errOut, code := runSvunit(t, bin, args...)
			if code != exitNotLoaded || out != "" {
				t.Errorf("svunit %s: exit %d, stdout %q; want exit 5", strings.Join(args, " "), code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("svunit %s: stderr %q lacks %q", strings.Join(args, " "), errOut, w)
				}
			}
		}
	}
}

// TestUXBadPattern gives every verb that takes patterns a malformed glob:
// a usage error (exit 2) that names it, before any daemon is asked.
func TestUXBadPattern(t *testing.T) {
	bin := buildSvunit(t)
	nowhere := filepath.Join(t.TempDir(), "bus")
	for _, verb := range []string{"start", "stop", "restart", "reload-or-restart", "kill", "reset-failed", "list", "events"} {
		out, errOut, code := runSvunit(t, bin, "--bus", nowhere, verb, "web", "worker@[")
		if code != exitUsage || out != "" || !strings.Contains(errOut, `bad pattern "worker@["`) || !strings.Contains(errOut, "close every '['") {
			t.Errorf("svunit %s 'worker@[': exit %d, stdout %q, stderr %q", verb, code, out, errOut)
		}
	}
}

// TestUXUnitErrors reads the errors about units of a real daemon.
func TestUXUnitErrors(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"web.unit":   fmt.Sprintf(sleepUnit, "web"),
		"crash.unit": crashUnit,
	})

	// status checks its patterns once it has the daemon.
	if _, errOut := d.expect(exitUsage, "status", "worker@["); !strings.Contains(errOut, `bad pattern "worker@["`) {
		t.Errorf("status 'worker@[' said %q", errOut)
	}

	_, errOut := d.expect(exitNotLoaded, "start", "nosuch")
	if !strings.Contains(errOut, `"nosuch"`) || !strings.Contains(errOut, "'svunit list'") {
		t.Errorf("start nosuch said %q; want the name and a pointer to 'svunit list'", errOut)
	}
	_, errOut = d.expect(exitNotLoaded, "stop", "wbe")
	if !strings.Contains(errOut, "did you mean web") || strings.Contains(errOut, "'svunit list'") {
		t.Errorf("stop wbe said %q; want only the near name", errOut)
	}

	// --state takes any case, and refuses what is no state at all.
	upper, _ := d.expect(0, "list", "--state", "STOPPED")
	lower, _ := d.expect(0, "list", "--state", "stopped")
	if upper != lower || !strings.Contains(lower, "crash.unit") {
		t.Errorf("list --state STOPPED:\n%s\nlist --state stopped:\n%s", upper, lower)
	}
	if _, errOut := d.expect(exitUsage, "list", "--state", "stoped"); !strings.Contains(errOut, `--state "stoped" is not a state`) {
		t.Errorf("list --state stoped said %q", errOut)
	}

	// crash is not running: kill fails for it and says so once.
	_, errOut = d.expect(exitFailure, "kill", "crash")
	if !strings.HasPrefix(errOut, "crash.unit: ") || strings.Contains(errOut, "crash.unit: crash.unit") {
		t.Errorf("kill of a stopped unit said %q; want the unit named once", errOut)
	}
}

func TestUXVersion(t *testing.T) {
	bin := buildSvunit(t)
	out, _, code := runSvunit(t, bin, "version")
	if code != 0 || !strings.HasPrefix(out, "svunit ") || strings.Contains(out, "(devel)") {
		t.Errorf("svunit version: exit %d, %q", code, out)
	}
	if _, errOut, code := runSvunit(t, bin, "version", "web"); code != exitUsage || !strings.Contains(errOut, `"web"`) {
		t.Errorf("svunit version web: exit %d, %q; want 2", code, errOut)
	}
}

// TestUXVerifyMissing runs verify on paths that do not exist, as a new
// user does before creating the unit directory.
func TestUXVerifyMissing(t *testing.T) {
	bin := buildSvunit(t)
	dir := t.TempDir()
	noDir := filepath.Join(dir, "units")
	_, errOut, code := runSvunit(t, bin, "--units", noDir, "verify")
	if code != exitFailure || !strings.Contains(errOut, "the unit directory "+noDir+" does not exist") || !strings.Contains(errOut, "--units DIR") {
		t.Errorf("verify of a missing unit directory: exit %d, %q", code, errOut)
	}
	noFile := filepath.Join(dir, "web.unit")
	_, errOut, code = runSvunit(t, bin, "verify", noFile, noDir)
	if code != exitFailure || !strings.Contains(errOut, noFile+": cannot read: no such file or directory") || !strings.Contains(errOut, noDir+": cannot read: no such file or directory") || !strings.Contains(errOut, "2 errors") {
		t.Errorf("verify of missing paths: exit %d, %q", code, errOut)
	}
}

// TestUXServiceBackend names an init system svunit does not know: a usage
// error that lists the known ones, whichever service verb it is.
func TestUXServiceBackend(t *testing.T) {
	bin := buildSvunit(t)
	for _, verb := range []string{"install-service", "uninstall-service", "service-status"} {
		_, errOut, code := runSvunit(t, bin, verb, "--backend", "sytemd")
		if code != exitUsage || !strings.Contains(errOut, `--backend: unknown target "sytemd"`) || !strings.Contains(errOut, "systemd") {
			t.Errorf("svunit %s --backend sytemd: exit %d, %q", verb, code, errOut)
		}
	}
}

// TestUXImportError imports a configuration with one bad command: the
// error has its file and line, and nothing is written.
func TestUXImportError(t *testing.T) {
	bin := buildSvunit(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "supervisord.conf")
	writeTestFile(t, conf, "[program:bad]\ncommand=/bin/echo \"unclosed\n")
	out := filepath.Join(dir, "units")
	_, errOut, code := runSvunit(t, bin, "import", conf, "--dir", out)
	if code != exitFailure || !strings.Contains(errOut, conf+":2: command: ") || !strings.Contains(errOut, "1 error; nothing was written") {
		t.Errorf("import of a bad command: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("import with an error created %s (%v)", out, err)
	}
}

// TestUXOtherManager runs a client as root where no system manager runs
// but a per-user one does: the error says that --user reaches it.
func TestUXOtherManager(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test reads the system manager's default path, which is root's (CI runs as root)")
	}
	if isSocket("/run/svunit/bus") {
		t.Fatal("a system manager listens at /run/svunit/bus; this test needs it absent")
	}
	bin := buildSvunit(t)
	runtime := t.TempDir()
	if err := os.Mkdir(filepath.Join(runtime, "svunit"), 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(runtime, "svunit", "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SVUNIT_BUS=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(bin, "status")
	cmd.Env = append(env, "XDG_RUNTIME_DIR="+runtime)
	out, err := cmd.CombinedOutput()
	want := "The per-user manager listens at " + filepath.Join(runtime, "svunit", "bus") + ": add --user to reach it"
	if cmd.ProcessState.ExitCode() != exitNotLoaded || !strings.Contains(string(out), want) {
		t.Errorf("svunit status with only a per-user manager: %v, %q; want exit 5 and %q", err, out, want)
	}

	// A bus the user named gets no hint: it was meant.
	cmd = exec.Command(bin, "--bus", filepath.Join(runtime, "none"), "status")
	cmd.Env = append(env, "XDG_RUNTIME_DIR="+runtime)
	if out, _ := cmd.CombinedOutput(); strings.Contains(string(out), "add --user") {
		t.Errorf("svunit --bus PATH status hinted at another manager: %q", out)
	}
}

// TestUXKillSpelling sends signals written as kill(1) and supervisorctl
// write them, and checks what arrives with the unit's own log.
func TestUXKillSpelling(t *testing.T) {
	bin := buildSvunit(t)
	// The unit logs each HUP and USR1 it gets, and says when it listens.
	trap := "[Service]\nExecStart=/bin/sh -c 'trap \"echo got HUP\" HUP; trap \"echo got USR1\" USR1; echo ready; while :; do sleep 0.1; done'\nStartSecs=0\nKillMode=process\n"
	d := startDaemon(t, bin, map[string]string{"trap.unit": trap})
	d.expect(0, "start", "trap")
	logHas := func(want string) func() bool {
		return func() bool {
			out, _, _ := d.svunit("logs", "-n", "100", "trap")
			return strings.Contains(out, want)
		}
	}
	waitFor(t, "trap.unit to say ready", logHas("ready"))

	if out, errOut := d.expect(0, "kill", "-HUP", "--kill-whom", "main", "trap"); out != "trap.unit: sent SIGHUP\n" {
		t.Errorf("kill -HUP: %q %q", out, errOut)
	}
	waitFor(t, "trap.unit to log the HUP", logHas("got HUP"))
	d.expect(0, "kill", "--kill-whom=main", "-SIGUSR1", "trap")
	waitFor(t, "trap.unit to log the USR1", logHas("got USR1"))

	// supervisorctl's order: the signal where the unit goes.
	if _, errOut := d.expect(exitUsage, "kill", "HUP", "trap"); !strings.Contains(errOut, "'svunit kill -s HUP trap'") {
		t.Errorf("kill HUP trap said %q", errOut)
	}
	// -H stays the host flag, and -9 is SIGKILL.
	d.expect(exitUsage, "kill", "-H", "trap")
	if out, _ := d.expect(0, "kill", "-9", "trap"); out != "trap.unit: sent SIGKILL\n" {
		t.Errorf("kill -9: %q", out)
	}
}

// TestUXLogsStream types supervisorctl's 'tail web stderr'.
func TestUXLogsStream(t *testing.T) {
	bin := buildSvunit(t)
	for _, stream := range []string{"stderr", "stdout"} {
		_, errOut, code := runSvunit(t, bin, "--bus", filepath.Join(t.TempDir(), "bus"), "logs", "-f", "web", stream)
		if code != exitUsage || !strings.Contains(errOut, "'svunit logs --stderr UNIT'") {
			t.Errorf("svunit logs -f web %s: exit %d, %q", stream, code, errOut)
		}
	}
}
