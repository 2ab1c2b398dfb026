package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLIOverBus(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"web.unit":   fmt.Sprintf(sleepUnit, "web"),
		"api.unit":   fmt.Sprintf(sleepUnit, "api"),
		"crash.unit": crashUnit,
	})
	t.Run("start", func(t *testing.T) {
		out, _ := d.with(t).expect(0, "start", "web")
		if out != "web.unit: started\n" {
			t.Errorf("start printed %q", out)
		}
	})
	t.Run("restart a group", func(t *testing.T) { testRestartGroup(t, d.with(t)) })
	t.Run("status of a crashed unit", func(t *testing.T) { testCrashedStatus(t, d.with(t)) })
	t.Run("exit codes", func(t *testing.T) { testExitCodes(t, d.with(t)) })
	t.Run("events", func(t *testing.T) { testEvents(t, d.with(t)) })
	t.Run("kill and reset-failed", func(t *testing.T) {
		d := d.with(t)
		if out, _ := d.expect(0, "kill", "-s", "USR1", "--kill-whom", "main", "api"); out != "api.unit: sent SIGUSR1\n" {
			t.Errorf("kill printed %q", out)
		}
		waitFor(t, "api.unit to be killed by SIGUSR1", func() bool { return d.status("api")[0]["last_exit"] == "killed by SIGUSR1" })
		if out, _ := d.expect(0, "reset-failed", "crash"); out != "crash.unit: reset\n" {
			t.Errorf("reset-failed printed %q", out)
		}
		if out, _ := d.expect(0, "start", "--no-block", "api"); out != "api.unit: queued\n" {
			t.Errorf("start --no-block printed %q", out)
		}
	})
	t.Run("reload", func(t *testing.T) {
		writeTestFile(t, filepath.Join(d.dir, "units", "new.unit"), fmt.Sprintf(sleepUnit, "new"))
		if out, _ := d.with(t).expect(0, "reload"); out != "new.unit: added\n" {
			t.Errorf("reload printed %q", out)
		}
	})
	t.Run("stop all", func(t *testing.T) {
		d := d.with(t)
		d.expect(0, "stop", "all")
		out, _ := d.expect(0, "list", "--state", "active")
		if strings.Contains(out, ".unit") {
			t.Errorf("after stop all, active units remain:\n%s", out)
		}
	})
}

func testRestartGroup(t *testing.T, d *daemon) {
	d.expect(0, "start", "@backend")
	before := d.status("@backend")
	out, _ := d.expect(0, "restart", "@backend")
	if out != "api.unit: restarted\nweb.unit: restarted\n" {
		t.Errorf("restart @backend printed %q", out)
	}
	after := d.status("@backend")
	if len(before) != 2 || len(after) != 2 {
		t.Fatalf("@backend has %d then %d units, want 2", len(before), len(after))
	}
	for i := range after {
		if after[i]["state"] != "RUNNING" || after[i]["pid"] == before[i]["pid"] {
			t.Errorf("%v after restart: state %v, pid %v (was %v)", after[i]["unit"], after[i]["state"], after[i]["pid"], before[i]["pid"])
		}
	}
}

func testCrashedStatus(t *testing.T, d *daemon) {
	d.expect(0, "start", "crash")
	var s map[string]any
	waitFor(t, "crash.unit to fail", func() bool {
		s = d.status("crash")[0]
		return s["active_state"] == "failed"
	})
	if s["last_exit"] != "exited with status 3" || s["state"] != "EXITED" {
		t.Errorf("crashed unit's JSON status: %v", s)
	}
	out, _ := d.expect(3, "status", "crash")
	for _, want := range []string{"× crash.unit", "Active: failed", "State: EXITED", "Last exit: exited with status 3", "boom"} {
		if !strings.Contains(out, want) {
			t.Errorf("status crash lacks %q:\n%s", want, out)
		}
	}
	out, _ = d.expect(3, "status")
	if !strings.Contains(out, "crash.unit") || !strings.Contains(out, "EXITED") || !strings.Contains(out, "RUNNING") {
		t.Errorf("status table:\n%s", out)
	}
}

func testExitCodes(t *testing.T, d *daemon) {
	d.expect(0, "status", "web")
	_, errOut := d.expect(4, "status", "nosuch")
	if !strings.Contains(errOut, "nosuch") {
		t.Errorf("status nosuch said %q", errOut)
	}
	d.expect(5, "start", "nosuch")
	d.expect(5, "stop", "@nogroup")
	d.expect(2, "start")
	d.expect(2, "kill", "-s", "NOPE", "web")
	_, errOut, code := runSvunit(t, d.bin, "--bus", filepath.Join(d.dir, "elsewhere"), "status")
	if code != 5 || !strings.Contains(errOut, filepath.Join(d.dir, "elsewhere")) || !strings.Contains(errOut, "svunit daemon") {
		t.Errorf("with no daemon: exit %d, %q", code, errOut)
	}
}

// testEvents watches 'svunit events' report a restart.
func testEvents(t *testing.T, d *daemon) {
	cmd := exec.Command(d.bin, "--bus", d.socket, "events", "web*")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	events := startLines(t, cmd)
	defer func() { cmd.Process.Signal(os.Interrupt); waitExit(t, cmd, "svunit events after SIGINT") }()
	if l := nextLine(t, lines(stderr), "svunit events' stderr"); !strings.HasPrefix(l, "Watching") {
		t.Fatalf("events did not start: %q", l)
	}
	d.expect(0, "restart", "web", "api")
	var seen []string
	for {
		l := nextLine(t, events, "svunit events, after "+strings.Join(seen, "; "))
		if strings.Contains(l, "api.unit") {
			t.Errorf("events web* printed an api.unit event: %s", l)
		}
		seen = append(seen, l)
		if strings.Contains(l, "web.unit job") && strings.HasSuffix(l, " done") {
			if !strings.Contains(strings.Join(seen, "\n"), "web.unit SupervisorState=RUNNING") {
				t.Errorf("events lacks the RUNNING change:\n%s", strings.Join(seen, "\n"))
			}
			return
		}
	}
}
