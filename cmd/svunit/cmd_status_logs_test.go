package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"svunit.dev/svunit/bus/api"
)

// TestStatusLogHealth gives a unit a sink that always fails (/dev/full:
// every write is ENOSPC, as on a full disk) and checks that status, its
// JSON and the io.svunit1.Unit LogStatus property show the dropped bytes
// and the error, while a healthy unit shows no log line in text.
func TestStatusLogHealth(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"full.unit": "[Service]\nExecStart=/bin/sh -c 'echo hello; echo world; exec sleep 1000'\nStandardOutput=append:/dev/full\nStartSecs=0\nTimeoutStopSec=5s\n",
		"fine.unit": "[Service]\nExecStart=/bin/sh -c 'echo hello; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n",
	})
	d.expect(0, "start", "full", "fine")

	var full logStreamStatus
	waitFor(t, "status to show full.unit's 12 dropped bytes", func() bool {
		full = streamStatus(t, d, "full", "stdout")
		return full.Dropped == 12
	})
	if !strings.Contains(full.Error, "no space left on device") || full.LastError == "" || full.LastErrorTime.IsZero() || full.Written != 0 || full.Sink != "append:/dev/full" {
		t.Errorf("full.unit's stdout: %+v", full)
	}
	out, _, _ := d.svunit("status", "-n", "0", "full")
	if !strings.Contains(out, "Log stdout: 12 bytes dropped; failing: ") || !strings.Contains(out, "no space left on device") {
		t.Errorf("status full does not show the failing sink:\n%s", out)
	}

	var fine logStreamStatus
	waitFor(t, "fine.unit's 6 bytes written", func() bool {
		fine = streamStatus(t, d, "fine", "stdout")
		return fine.Written == 6
	})
	if fine.Dropped != 0 || fine.Error != "" || fine.LastError != "" {
		t.Errorf("fine.unit's stdout: %+v", fine)
	}
	if out, _, _ := d.svunit("status", "-n", "0", "fine"); strings.Contains(out, "Log stdout") || strings.Contains(out, "Log stderr") {
		t.Errorf("status of a healthy unit has a log health line:\n%s", out)
	}

	// The same through the D-Bus property.
	v, err := d.connect().call.Object(api.SvunitName, api.UnitPath("full.unit")).GetProperty("io.svunit1.Unit.LogStatus")
	if err != nil {
		t.Fatal(err)
	}
	if sig := v.Signature().String(); sig != "a(ssttsst)" {
		t.Fatalf("LogStatus has type %s", sig)
	}
	var streams []api.LogStream
	if err := v.Store(&streams); err != nil {
		t.Fatal(err)
	}
	if len(streams) != 2 || streams[0].Stream != "stdout" || streams[0].Dropped != 12 || !strings.Contains(streams[0].Error, "no space left") || streams[0].LastErrorTimestamp == 0 || streams[1].Stream != "stderr" {
		t.Errorf("LogStatus = %+v", streams)
	}
	// busctl reads it too, and introspection tells clients not to cache it.
	busctl := func(args ...string) string {
		out, err := exec.Command("busctl", append([]string{"--address=unix:path=" + d.socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("busctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	path := string(api.UnitPath("full.unit"))
	if out := busctl("get-property", api.SvunitName, path, "io.svunit1.Unit", "LogStatus"); !strings.HasPrefix(out, `a(ssttsst) 2 "stdout" "append:/dev/full" 0 12 "write /dev/full: no space left on device"`) {
		t.Errorf("busctl get-property LogStatus: %s", out)
	}
	if out := busctl("introspect", "--xml-interface", api.SvunitName, path); !strings.Contains(out, `<property name="LogStatus" type="a(ssttsst)" access="read">
   <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="false"/>`) {
		t.Errorf("introspection of LogStatus:\n%s", out)
	}
}

// streamStatus returns one stream's log_status from 'status -o json UNIT'.
func streamStatus(t *testing.T, d *daemon, unit, stream string) logStreamStatus {
	t.Helper()
	out, errOut, _ := d.svunit("-o", "json", "status", "-n", "0", unit)
	var v []unitStatus
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != 1 {
		t.Fatalf("status -o json %s: %v\n%s%s", unit, err, out, errOut)
	}
	for _, l := range v[0].LogStatus {
		if l.Stream == stream {
			return l
		}
	}
	t.Fatalf("status -o json %s has no log_status for %s: %s", unit, stream, out)
	return logStreamStatus{}
}
