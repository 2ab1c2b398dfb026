package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestUXEventsNames gives events the arguments every verb takes (a bare
// name, @GROUP, all, a glob) and checks that each shows the unit's events.
func TestUXEventsNames(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"web.unit": fmt.Sprintf(sleepUnit, "web"),
		"db.unit":  "[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\n",
	})
	d.expect(0, "start", "web", "db")

	type watcher struct {
		arg string
		out <-chan string
	}
	var ws []watcher
	for _, arg := range []string{"web", "web.unit", "@backend", "all", "w*", "db"} {
		cmd := exec.Command(bin, "--bus", d.socket, "events", arg)
		errPipe, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		out := startLines(t, cmd)
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		// It says so on stderr once it listens.
		if l := nextLine(t, lines(errPipe), "svunit events "+arg+" (stderr)"); !strings.HasPrefix(l, "Watching ") {
			t.Fatalf("svunit events %s: stderr %q", arg, l)
		}
		ws = append(ws, watcher{arg, out})
	}
	d.expect(0, "restart", "web")
	d.expect(0, "restart", "db")
	for _, w := range ws {
		// Each sees its unit's restart; db's watcher sees nothing of web.
		want, other := " web.unit ", " db.unit "
		if w.arg == "db" {
			want, other = other, want
		}
		for {
			l := nextLine(t, w.out, "svunit events "+w.arg)
			if strings.Contains(l, want) {
				break
			}
			if strings.Contains(l, other) && w.arg != "all" {
				t.Errorf("svunit events %s showed %q", w.arg, l)
				break
			}
		}
	}

	_, errOut := d.expect(exitNotLoaded, "events", "@nogroup")
	if !strings.Contains(errOut, "no group @nogroup") {
		t.Errorf("events @nogroup said %q", errOut)
	}
}

// TestUXEventsWarns checks that events says when a name matches no unit,
// rather than waiting in silence.
func TestUXEventsWarns(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{"web.unit": fmt.Sprintf(sleepUnit, "web")})
	cmd := exec.Command(bin, "--bus", d.socket, "events", "wbe")
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	startLines(t, cmd)
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if l := nextLine(t, lines(errPipe), "svunit events wbe (stderr)"); !strings.Contains(l, `no unit matches "wbe" yet`) {
		t.Errorf("svunit events wbe: first stderr line %q", l)
	}
}
