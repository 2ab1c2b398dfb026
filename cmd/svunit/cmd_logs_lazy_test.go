package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogsBeforeFirstByte reads the log of a running unit that has written
// nothing yet, so has no log file (it is created on the first byte): every
// reader sees it as empty, without an error, and the followers print the
// lines once the unit writes them.
func TestLogsBeforeFirstByte(t *testing.T) {
	flag := filepath.Join(t.TempDir(), "go")
	unit := fmt.Sprintf("[Service]\nExecStart=/bin/sh -c 'while [ ! -e %s ]; do sleep 0.02; done; echo late; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n", flag)
	d := startDaemon(t, buildSvunit(t), map[string]string{"late.unit": unit})
	d.expect(0, "start", "late")
	path := filepath.Join(d.dir, "log", "late.unit.stdout.log")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s before the unit wrote: %v; want no file yet", path, err)
	}
	if st := fmt.Sprint(d.status("late")); !strings.Contains(st, path) {
		t.Errorf("status does not name the log file %s before it exists: %s", path, st)
	}
	for _, stream := range []string{"--stderr", "-n=5"} {
		if out, errOut := d.expect(0, "logs", stream, "late"); out != "" || errOut != "" {
			t.Errorf("logs %s before the first byte: %q, %q; want nothing", stream, out, errOut)
		}
	}
	c := d.connect()
	if tail, err := c.tailLog(context.Background(), "late", "stdout", 5); err != nil || len(tail) != 0 {
		t.Errorf("tailLog before the first byte = %q, %v; want nothing", tail, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followBus := func(what string, follow func(context.Context, string, string, int, io.Writer) error) <-chan string {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(follow(ctx, "late", "stdout", 5, pw)) }()
		return lines(pr)
	}
	followers := map[string]<-chan string{
		"FollowLog":     followBus("FollowLog", c.followLog),
		"OpenLogStream": followBus("OpenLogStream", c.followLogPolled),
	}
	cmd := exec.Command(d.bin, "--bus", d.socket, "logs", "-f", "late")
	followers["logs -f"] = startLines(t, cmd)
	defer cmd.Process.Kill()

	writeTestFile(t, flag, "")
	for what, ch := range followers {
		expectLine(t, ch, what+" once the file appears", "late")
	}
	if out, _ := d.expect(0, "logs", "late"); out != "late\n" {
		t.Errorf("logs after the first line: %q", out)
	}
}
