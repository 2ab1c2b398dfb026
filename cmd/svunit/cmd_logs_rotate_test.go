package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogsRotate rotates a unit's log file with 'svunit logs --rotate' while
// the unit writes numbered lines as fast as it can: a .1 backup appears,
// and the backup and the new file together hold every line once, in order,
// none split.
func TestLogsRotate(t *testing.T) {
	bin := buildSvunit(t)
	stop := filepath.Join(t.TempDir(), "stop")
	// LogMaxBytes=0: only the rotation asked for makes a backup. The loop
	// is bounded so that a failing test cannot fill the disk.
	unit := fmt.Sprintf("[Unit]\nGroups=noisy\n[Service]\nExecStart=/bin/sh -c 'i=0; while [ ! -e %s ] && [ $i -lt 3000000 ]; do i=$((i+1)); echo \"line $i abcdefghijklmnopqrstuvwxyz\"; done; echo \"done $i\"; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\nLogMaxBytes=0\n", stop)
	d := startDaemon(t, bin, map[string]string{"chatty.unit": unit, "idle.unit": "[Service]\nExecStart=/bin/sleep 1000\n"})
	log := filepath.Join(d.dir, "log", "chatty.unit.stdout.log")
	d.expect(0, "start", "chatty")
	waitFor(t, "chatty's log file to pass 64 KiB", func() bool {
		fi, err := os.Stat(log)
		return err == nil && fi.Size() > 64<<10
	})
	out, _ := d.expect(0, "logs", "--rotate", "@noisy")
	if out != "chatty.unit: log files rotated\n" {
		t.Errorf("logs --rotate @noisy printed %q", out)
	}
	// Let the unit write into the new file too before it stops.
	waitFor(t, "lines in the new file", func() bool {
		fi, err := os.Stat(log)
		return err == nil && fi.Size() > 4<<10
	})
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var last string
	waitFor(t, "the unit's last line", func() bool {
		last = lastLine(t, log)
		return strings.HasPrefix(last, "done ")
	})
	backup, err := os.ReadFile(log + ".1")
	if err != nil {
		t.Fatalf("no backup after logs --rotate: %v", err)
	}
	current, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(backup) == 0 || backup[len(backup)-1] != '\n' {
		t.Fatalf("the backup is empty or ends inside a line (%d bytes)", len(backup))
	}
	checkNumbered(t, string(backup)+string(current))

	d.expect(4, "logs", "--rotate", "nosuch")
}

// checkNumbered checks that text is "line 1 …" to "line N …", each once and
// whole, followed by "done N".
func checkNumbered(t *testing.T, text string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	n := len(lines) - 1
	for i, l := range lines[:n] {
		if want := fmt.Sprintf("line %d abcdefghijklmnopqrstuvwxyz", i+1); l != want {
			t.Fatalf("line %d is %q, want %q (lost, repeated or split)", i+1, l, want)
		}
	}
	if want := fmt.Sprintf("done %d", n); lines[n] != want {
		t.Fatalf("last line %q, want %q", lines[n], want)
	}
}

// lastLine returns the last whole line of the file at path, "" if none.
func lastLine(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
