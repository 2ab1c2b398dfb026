package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLogsVerb runs 'svunit logs' as users do: against a real daemon, and
// without one on the default log files.
func TestLogsVerb(t *testing.T) {
	bin := buildSvunit(t)
	t.Run("daemon", func(t *testing.T) { testLogsDaemon(t, bin) })
	t.Run("no daemon", func(t *testing.T) { testLogsNoDaemon(t, bin) })
	t.Run("follow a file", func(t *testing.T) { testLogsFollowFile(t, bin) })
}

const talkUnit = "[Unit]\nGroups=chat\n[Service]\nExecStart=/bin/sh -c 'for i in 1 2 3 4; do echo out$i; echo err$i >&2; done; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n"

func testLogsDaemon(t *testing.T, bin string) {
	d := startDaemon(t, bin, map[string]string{
		"talk.unit":  talkUnit,
		"idle.unit":  "[Service]\nExecStart=/bin/sleep 1000\n",
		"echo.unit":  "[Unit]\nGroups=chat\n[Service]\nExecStart=/bin/sh -c 'echo hello; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n",
		"quiet.unit": "[Unit]\nGroups=chat\n[Service]\nExecStart=/bin/sleep 1000\nStandardOutput=null\nStartSecs=0\nTimeoutStopSec=5s\n",
	})
	d.expect(0, "start", "talk", "quiet", "echo")
	// eventually runs logs until its output is want (the units are still
	// writing their first lines).
	eventually := func(want string, args ...string) {
		t.Helper()
		var out string
		if !poll(func() bool {
			out, _, _ = d.svunit(append([]string{"logs"}, args...)...)
			return out == want
		}) {
			t.Fatalf("logs %s: %q, want %q", strings.Join(args, " "), out, want)
		}
	}
	eventually("err3\nerr4\n", "-n", "2", "--stderr", "talk")
	// quiet.unit, also in @chat, has no file: it is named on stderr and
	// skipped.
	eventually("echo.unit: hello\ntalk.unit: out4\n", "-n", "1", "@chat")
	if _, errOut := d.expect(0, "logs", "@chat"); !strings.Contains(errOut, "quiet.unit's stdout is not written to a file (it is discarded") {
		t.Errorf("logs @chat: stderr %q does not name quiet.unit", errOut)
	}
	out, _ := d.expect(0, "logs", "talk")
	if out != "out1\nout2\nout3\nout4\n" {
		t.Errorf("logs talk: %q", out)
	}
	out, _ = d.expect(0, "-o", "json", "logs", "-n", "1", "talk")
	var line map[string]string
	if err := json.Unmarshal([]byte(out), &line); err != nil || line["line"] != "out4" || line["unit"] != "talk.unit" || line["stream"] != "stdout" {
		t.Errorf("logs -o json: %q (%v)", out, err)
	}
	_, errOut := d.expect(1, "logs", "quiet")
	if !strings.Contains(errOut, "discarded") {
		t.Errorf("logs of a unit with StandardOutput=null: %q", errOut)
	}
	d.expect(4, "logs", "nosuch")
	// A unit that has not run has no file yet: no lines, no error.
	if out, errOut := d.expect(0, "logs", "idle"); out != "" || errOut != "" {
		t.Errorf("logs of a unit that never ran: %q, %q", out, errOut)
	}
	d.expect(2, "logs")
}

func testLogsNoDaemon(t *testing.T, bin string) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "log")
	os.Mkdir(logs, 0o755)
	writeTestFile(t, filepath.Join(logs, "web.unit.stdout.log"), "a\nb\nc\n")
	cmd := func(args ...string) (string, string, int) {
		c := exec.Command(bin, append([]string{"--bus", filepath.Join(dir, "nobus")}, args...)...)
		c.Env = append(os.Environ(), "SVUNIT_LOG_DIR="+logs)
		var out, errOut strings.Builder
		c.Stdout, c.Stderr = &out, &errOut
		c.Run()
		return out.String(), errOut.String(), c.ProcessState.ExitCode()
	}
	if out, errOut, code := cmd("logs", "-n", "2", "web"); code != 0 || out != "b\nc\n" {
		t.Errorf("logs without a daemon: exit %d, %q, %q", code, out, errOut)
	}
	// web wrote nothing to stderr, so it has no stderr file: empty, no error.
	if out, errOut, code := cmd("logs", "--stderr", "web"); code != 0 || out != "" || errOut != "" {
		t.Errorf("logs --stderr without a daemon nor a stderr file: exit %d, %q, %q", code, out, errOut)
	}
	if _, errOut, code := cmd("logs", "other"); code == 0 || !strings.Contains(errOut, "no log file for other in "+logs) {
		t.Errorf("logs of a unit without a file: exit %d, %q", code, errOut)
	}
}

// testLogsFollowFile follows a FILE across a rotation and stops on SIGINT.
func testLogsFollowFile(t *testing.T, bin string) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeTestFile(t, path, "old1\nold2\n")
	c := exec.Command(bin, "logs", "-f", "-n", "1", path)
	followed := startLines(t, c)
	defer c.Process.Kill()
	expectLine(t, followed, "logs -f", "old2")
	appendFile(t, path, "new1\n")
	expectLine(t, followed, "logs -f", "new1")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "after rotation\n")
	expectLine(t, followed, "logs -f after a rotation", "after rotation")
	c.Process.Signal(syscall.SIGINT)
	if err := waitExit(t, c, "logs -f after SIGINT"); err != nil {
		t.Errorf("logs -f after SIGINT: %v", err)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprint(f, s); err != nil {
		t.Fatal(err)
	}
}
