package service

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openrcDirs are the state directories openrc-run keeps under /run/openrc.
var openrcDirs = strings.Fields("daemons exclusive failed hotplugged inactive options scheduled started starting stopping tmp wasinactive")

// inOpenRC returns argv wrapped so that it runs in a private mount
// namespace whose /run/openrc is state, marked as booted: OpenRC then
// starts services on this machine, which was not booted with it, without
// touching the host's /run.
func inOpenRC(t *testing.T, state string, argv ...string) []string {
	t.Helper()
	script := `mount --bind "$0" /run/openrc && exec "$@"`
	return append([]string{"unshare", "-m", "--propagation", "private", "sh", "-c", script, state}, argv...)
}

// TestOpenRCInstall installs svunit as an OpenRC service for real, as
// root, with Debian's openrc package: install-service writes
// /etc/init.d/NAME and adds it to the default runlevel, rc-service starts
// the real manager under supervise-daemon, service-status reports it, stop
// stops it, and uninstall-service removes every file install wrote.
func TestOpenRCInstall(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installs into /etc/init.d: run as root (CI does)")
	}
	if _, err := exec.LookPath("openrc-run"); err != nil {
		t.Fatalf("openrc-run: %v (install Debian's openrc package: .ci/deps)", err)
	}
	if err := os.MkdirAll("/run/openrc", 0o755); err != nil {
		t.Fatal(err)
	}
	becomeSubreaper(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "openrc")
	for _, d := range openrcDirs {
		if err := os.MkdirAll(filepath.Join(state, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(state, "softlevel"), []byte("default"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildSvunit(t, dir)
	name := fmt.Sprintf("svunit-openrc-%d", os.Getpid())
	// OpenRC evaluates command_args once more: the unit directory and bus
	// hold the characters that evaluation could misread and svunit quotes
	// (newlines and runs of spaces it refuses: see compat.TestRejects).
	hostile := filepath.Join(dir, "it's \"q\" $HOME `x` \\b <&>%;")
	units, bus := napUnits(t, hostile), filepath.Join(hostile, "bus")
	flags := []string{"--backend", "openrc", "--name", name, "--units", units,
		"--bus", bus, "--log-file", filepath.Join(dir, "daemon.log")}
	svunit := func(verb string) (string, int) {
		return run(t, nil, inOpenRC(t, state, append([]string{bin, verb}, flags...)...)...)
	}
	stop := inOpenRC(t, state, "rc-service", name, "stop")
	uninstall := inOpenRC(t, state, append([]string{bin, "uninstall-service"}, flags...)...)
	t.Cleanup(func() {
		exec.Command(stop[0], stop[1:]...).Run()
		exec.Command(uninstall[0], uninstall[1:]...).Run()
	})
	before := etcRcFiles(t)

	if out, code := svunit("install-service"); code != 0 {
		t.Fatalf("install-service: exit %d\n%s", code, out)
	}
	if _, err := os.Lstat("/etc/runlevels/default/" + name); err != nil {
		t.Errorf("not in the default runlevel: %v", err)
	}
	if out, code := run(t, nil, inOpenRC(t, state, "rc-service", name, "start")...); code != 0 {
		t.Fatalf("rc-service start: exit %d\n%s\n%s", code, out, readFile(dir, "daemon.log"))
	}
	supervisor := findProcess(t, "supervise-daemon", name)
	reaped := reap(supervisor)
	waitSocket(t, bus)
	checkArgv(t, waitChild(t, supervisor, "svunit"), []string{bin, "daemon", "--system", "--units", units, "--bus", bus})
	if out, code := svunit("service-status"); code != 0 || !strings.Contains(out, "running") {
		t.Errorf("service-status = %d %q, want 0 running", code, out)
	}
	if out, code := run(t, nil, stop...); code != 0 {
		t.Fatalf("rc-service stop: exit %d\n%s", code, out)
	}
	select {
	case <-reaped:
	case <-time.After(30 * time.Second):
		t.Fatal("supervise-daemon did not exit after stop")
	}
	if out, code := svunit("service-status"); code != 3 {
		t.Errorf("service-status after stop = %d %q, want 3", code, out)
	}
	if out, code := svunit("uninstall-service"); code != 0 {
		t.Fatalf("uninstall-service: exit %d\n%s", code, out)
	}
	after := etcRcFiles(t)
	if after != before {
		t.Errorf("uninstall-service left files behind:\nbefore: %s\nafter:  %s", before, after)
	}
}

func globAll(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// findProcess returns the pid of the process named comm whose command line
// holds arg.
func findProcess(t *testing.T, comm, arg string) int {
	t.Helper()
	for _, d := range globAll(t, "/proc/[0-9]*") {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(string(cmdline), "\x00")
		if filepath.Base(argv[0]) == comm && strings.Contains(string(cmdline), arg) {
			var pid int
			fmt.Sscan(filepath.Base(d), &pid)
			return pid
		}
	}
	t.Fatalf("no %s process for %s", comm, arg)
	return 0
}

// waitSocket waits up to 10 s for a unix socket at path.
func waitSocket(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no socket at %s within 10s", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
