package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestUXDeniedExit runs the CLI as nobody against a root daemon whose unit
// grants nobody status and restart only: every refused verb, kill
// included, exits 4 as docs/cli.md says.
func TestUXDeniedExit(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test runs the CLI as nobody and needs root to switch to it (CI runs as root)")
	}
	bin := buildSvunit(t)
	unit := fmt.Sprintf(sleepUnit, "web") + "[Unit]\nAllowUsers=nobody:status,restart\n"
	d := startDaemon(t, bin, map[string]string{"web.unit": unit})
	d.expect(0, "start", "web")

	// nobody must reach the socket and run a copy of the binary.
	for _, dir := range []string{filepath.Dir(d.dir), d.dir} {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	own := filepath.Join(d.dir, "svunit")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(own, b, 0o755); err != nil {
		t.Fatal(err)
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	asNobody := func(args ...string) (string, int) {
		cmd := exec.Command(own, append([]string{"--bus", d.socket}, args...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return stderr.String(), cmd.ProcessState.ExitCode()
	}

	if errOut, code := asNobody("restart", "web"); code != 0 {
		t.Fatalf("restart as nobody, which the unit allows: exit %d, %s", code, errOut)
	}
	for _, verb := range [][]string{{"stop", "web"}, {"kill", "web"}, {"kill", "-s", "HUP", "all"}, {"reset-failed", "web"}} {
		errOut, code := asNobody(verb...)
		if code != exitNoSuchUnit || !strings.Contains(errOut, "permission denied") {
			t.Errorf("svunit %s as nobody: exit %d, %q; want 4 and permission denied", strings.Join(verb, " "), code, errOut)
		}
	}
}
