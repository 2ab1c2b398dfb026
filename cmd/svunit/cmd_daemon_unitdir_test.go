package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDaemonUnitDir: a unit directory named on the command line or in
// $SVUNIT_UNITS must exist (a typo must not run a manager with no units);
// the default one is created on the first start.
func TestDaemonUnitDir(t *testing.T) {
	bin := buildSvunit(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	file := filepath.Join(dir, "file")
	writeTestFile(t, file, "")
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--units", missing}, "--units " + missing + ": no such directory"},
		{[]string{"SVUNIT_UNITS=" + missing}, nil, "$SVUNIT_UNITS=" + missing + ": no such directory"},
		{nil, []string{"--units", file}, "unit directory " + file + " is not a directory"},
	} {
		cmd := exec.Command(bin, append([]string{"daemon", "--bus", filepath.Join(dir, "bus"), "--log-dir", filepath.Join(dir, "log")}, c.args...)...)
		cmd.Env = append(os.Environ(), c.env...)
		out, err := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(string(out), c.want) {
			t.Errorf("daemon %v %v: exit %d (%v), want %d and %q:\n%s", c.env, c.args, code, err, exitUsage, c.want, out)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("the daemon created %s, which it was only told to read", missing)
	}

	// The default unit directory of a user manager is created.
	home := t.TempDir()
	cmd := exec.Command(bin, "daemon", "--user")
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_STATE_HOME="+filepath.Join(home, "state"), "XDG_RUNTIME_DIR="+filepath.Join(home, "run"), "SVUNIT_UNITS=", "SVUNIT_BUS=", "SVUNIT_LOG_DIR=")
	p := startDaemonProc(t, cmd)
	if fi, err := os.Stat(filepath.Join(home, "config", "svunit", "units")); err != nil || !fi.IsDir() {
		t.Errorf("the default unit directory was not created: %v", err)
	}
	if err := p.stop(); err != nil {
		t.Error(err)
	}
}
