package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"svunit.dev/svunit/bus/api"
)

func TestUptime(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{3 * time.Second, "0:00:03"},
		{2*time.Minute + 5*time.Second, "0:02:05"},
		{time.Hour + 2*time.Minute, "1:02:00"},
		{26 * time.Hour, "1 day, 2:00:00"},
		{50 * time.Hour, "2 days, 2:00:00"},
	} {
		if got := uptime(tc.d); got != tc.want {
			t.Errorf("uptime(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestAgo checks systemctl's relative times, whose precision falls as
// they grow.
func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 41, 2, 0, time.UTC)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "now"},
		{300 * time.Millisecond, "300ms ago"},
		{3*time.Second + 900*time.Millisecond, "3s ago"},
		{3*time.Minute + 12*time.Second, "3min 12s ago"},
		{12*time.Minute + 30*time.Second, "12min ago"},
		{time.Hour + 2*time.Minute, "1h 2min ago"},
		{7*time.Hour + 59*time.Minute, "7h ago"},
		{24*time.Hour + 30*time.Minute, "24h ago"},
		{26 * time.Hour, "1 day 2h ago"},
		{50 * time.Hour, "2 days ago"},
		{9 * day, "1 week 2 days ago"},
		{40 * day, "1 month 9 days ago"},
		{400 * day, "1 year 1 month ago"},
		{800 * day, "2 years 2 months ago"},
		{-90 * time.Second, "1min 30s left"},
	} {
		if got := ago(now.Add(-tc.d), now); got != tc.want {
			t.Errorf("ago(now - %v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestStatusDetail checks the lines systemctl users read first: Active
// with the date and how long ago, the Supervisor state with its uptime, and
// the process tree under the cgroup.
func TestStatusDetail(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 44, 14, 0, time.UTC)
	since := now.Add(-(3*time.Minute + 12*time.Second))
	s := unitStatus{
		Name: "web.unit", Description: "the web", LoadState: "loaded", ActiveState: "active", SubState: "running",
		SupervisorState: "RUNNING", MainPID: 4120, Since: since, Path: "/etc/svunit/units/web.unit",
		CGroup:    "/svunit-1-ab/web.unit",
		Processes: []unitProcess{{4120, "/usr/bin/python3 -m http.server"}, {4133, "sleep 5"}},
	}
	var b strings.Builder
	printStatusDetail(&b, &s, now)
	want := "● web.unit - the web\n" +
		"     Loaded: loaded (/etc/svunit/units/web.unit; disabled)\n" +
		"     Active: active (running) since " + since.Local().Format("Mon 2006-01-02 15:04:05 MST") + "; 3min 12s ago\n" +
		"      State: RUNNING (pid 4120, uptime 0:03:12)\n" +
		"   Main PID: 4120\n" +
		"   Restarts: 0\n" +
		"     CGroup: /svunit-1-ab/web.unit\n" +
		"             ├─4120 /usr/bin/python3 -m http.server\n" +
		"             └─4133 sleep 5\n"
	if b.String() != want {
		t.Errorf("status:\n%s\nwant:\n%s", b.String(), want)
	}

	s.CGroup, s.Processes = "", s.Processes[:1]
	b.Reset()
	printStatusDetail(&b, &s, now)
	if want := "     CGroup: none (process group 4120)\n             └─4120 /usr/bin/python3 -m http.server\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("status without a cgroup:\n%s\nwant it to end with:\n%s", b.String(), want)
	}
}

// TestStatusProcesses runs a unit with two processes under a real daemon
// and checks that status shows both under the unit's cgroup, which the
// kernel confirms in /proc/PID/cgroup, and that the bus publishes it as
// ControlGroup. Where the daemon cannot make cgroups, it checks the
// fallback: no ControlGroup, and the process group shown instead.
func TestStatusProcesses(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"tree.unit": "[Service]\nExecStart=/bin/sh -c 'sleep 1000 & exec sleep 1001'\nStartSecs=0\nTimeoutStopSec=5s\n",
	})
	d.expect(0, "start", "tree")
	var st map[string]any
	waitFor(t, "status to show tree.unit's two sleeps", func() bool {
		st = d.status("tree")[0]
		procs, _ := st["processes"].([]any)
		for _, p := range procs {
			if cmd, _ := p.(map[string]any)["cmdline"].(string); !strings.HasPrefix(cmd, "sleep ") {
				return false // the shell has not exec'd yet
			}
		}
		return len(procs) == 2
	})
	pid := int(st["pid"].(float64))
	out, _ := d.expect(0, "status", "-n", "0", "tree")
	for _, re := range []string{
		`(?m)^     Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+; (now|\d.* ago)$`,
		fmt.Sprintf(`(?m)^      State: RUNNING \(pid %d, uptime 0:\d\d:\d\d\)$`, pid),
		`(?m)^             ├─\d+ sleep 100[01]\n             └─\d+ sleep 100[01]$`,
		fmt.Sprintf(`(?m)^             [├└]─%d sleep 1001$`, pid),
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("status lacks %s:\n%s", re, out)
		}
	}

	v, err := d.connect().call.Object(api.SvunitName, api.UnitPath("tree.unit")).GetProperty("org.freedesktop.systemd1.Service.ControlGroup")
	if err != nil {
		t.Fatal(err)
	}
	cgroup, _ := v.Value().(string)
	if cgroup != fmt.Sprint(st["cgroup"]) && !(cgroup == "" && st["cgroup"] == nil) {
		t.Errorf("ControlGroup %q, status -o json says %v", cgroup, st["cgroup"])
	}
	if cgroup == "" {
		if want := fmt.Sprintf("     CGroup: none (process group %d)\n", pid); !strings.Contains(out, want) {
			t.Errorf("status without a cgroup lacks %q:\n%s", want, out)
		}
		return
	}
	self, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil || !strings.Contains(string(self), "0::"+cgroup+"\n") || !strings.HasSuffix(cgroup, "/tree.unit") {
		t.Errorf("ControlGroup %q, but the kernel puts pid %d in:\n%s%v", cgroup, pid, self, err)
	}
	if !strings.Contains(out, "     CGroup: "+cgroup+"\n") {
		t.Errorf("status lacks the CGroup line for %s:\n%s", cgroup, out)
	}
}
