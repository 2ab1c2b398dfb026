package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDaemonJoinSession runs 'svunit daemon --join=session' against a real
// dbus-daemon --session and drives a unit there with busctl, by io.svunit1.
func TestDaemonJoinSession(t *testing.T) {
	bin := buildSvunit(t)
	dir := t.TempDir()
	session := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:path="+filepath.Join(dir, "session"))
	printed := startLines(t, session)
	t.Cleanup(func() { session.Process.Kill(); session.Wait() })
	addr := nextLine(t, printed, "dbus-daemon --print-address")

	startDaemonEnv(t, bin, map[string]string{"web.unit": "[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\n"},
		[]string{"DBUS_SESSION_BUS_ADDRESS=" + addr}, "--join=session")

	busctl := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		out, err := exec.CommandContext(ctx, "busctl", append([]string{"--address=" + addr}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("busctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	busctl("call", "io.svunit1", "/org/freedesktop/systemd1", "io.svunit1.Manager", "StartUnits", "as", "1", "web")
	waitFor(t, "web.unit to become active on the session bus", func() bool {
		return busctl("get-property", "io.svunit1", "/org/freedesktop/systemd1/unit/web_2eunit", "org.freedesktop.systemd1.Unit", "ActiveState") == `s "active"`
	})
	if names := busctl("list", "--acquired"); strings.Contains(names, "org.freedesktop.systemd1") {
		t.Errorf("svunit took org.freedesktop.systemd1 on the session bus:\n%s", names)
	}
}
