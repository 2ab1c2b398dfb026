package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDaemonJoinSession runs 'svunit daemon --join=session' against a real
// dbus-daemon --session and drives a unit there with busctl, by io.svunit1.
func TestDaemonJoinSession(t *testing.T) {
	bin := buildSvunit(t)
	dir := t.TempDir()
	session := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:path="+filepath.Join(dir, "session"))
	out, _ := session.StdoutPipe()
	if err := session.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v (install the dbus package)", err)
	}
	t.Cleanup(func() { session.Process.Kill(); session.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = strings.TrimSpace(addr)

	units := filepath.Join(dir, "units")
	os.Mkdir(units, 0o755)
	os.WriteFile(filepath.Join(units, "web.unit"), []byte("[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\n"), 0o644)
	d := exec.Command(bin, "daemon", "--join=session", "--units", units, "--bus", filepath.Join(dir, "bus"), "--log-dir", filepath.Join(dir, "log"))
	d.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr)
	d.Stderr = os.Stderr
	dout, _ := d.StdoutPipe()
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Process.Signal(syscall.SIGTERM); d.Wait() })
	if line, err := bufio.NewReader(dout).ReadString('\n'); err != nil || !strings.Contains(line, "ready") {
		t.Fatalf("daemon not ready: %q %v", line, err)
	}

	busctl := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "busctl", append([]string{"--address=" + addr}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("busctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	busctl("call", "io.svunit1", "/org/freedesktop/systemd1", "io.svunit1.Manager", "StartUnits", "as", "1", "web")
	deadline := time.Now().Add(15 * time.Second)
	for busctl("get-property", "io.svunit1", "/org/freedesktop/systemd1/unit/web_2eunit", "org.freedesktop.systemd1.Unit", "ActiveState") != `s "active"` {
		if time.Now().After(deadline) {
			t.Fatal("web.unit never became active on the session bus")
		}
	}
	if names := busctl("list", "--acquired"); strings.Contains(names, "org.freedesktop.systemd1") {
		t.Errorf("svunit took org.freedesktop.systemd1 on the session bus:\n%s", names)
	}
}
