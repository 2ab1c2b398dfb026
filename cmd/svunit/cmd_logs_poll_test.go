package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/bus/api"
)

// TestLogsFollowPolled follows a unit's log through the daemon without a
// file descriptor (what -H does over ssh): the last lines, then lines the
// unit writes later, across a rotation; and a stream is its opener's only.
func TestLogsFollowPolled(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"talk.unit": "[Service]\nExecStart=/bin/sh -c 'echo one; echo two; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n",
	})
	d.expect(0, "start", "talk")
	g := &globals{bus: d.socket, output: "text"}
	c, err := g.connect()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	followed := make(chan error, 1)
	go func() {
		err := c.followLogPolled(ctx, "talk", "stdout", 10, pw)
		followed <- err
		pw.CloseWithError(err)
	}()
	sc := bufio.NewScanner(pr)
	expect := func(want ...string) {
		t.Helper()
		var got []string
		for len(got) < len(want) && sc.Scan() {
			got = append(got, sc.Text())
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("followed %q, want %q (%v)", got, want, sc.Err())
		}
	}
	expect("one", "two")
	d.expect(0, "restart", "talk") // appends one, two
	expect("one", "two")
	d.expect(0, "logs", "--rotate", "talk")
	d.expect(0, "restart", "talk") // into the new file
	expect("one", "two")
	cancel()
	select {
	case err := <-followed:
		if err != nil {
			t.Errorf("followLogPolled after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("followLogPolled did not return within 10s of its context's end")
	}

	// Another connection may not read or close a stream it did not open.
	mgr := func(conn *dbus.Conn) dbus.BusObject { return conn.Object(api.SvunitName, api.ManagerPath) }
	var id string
	if err := mgr(c.call).Call("io.svunit1.Manager.OpenLogStream", 0, "talk", "stdout", uint32(1)).Store(&id); err != nil {
		t.Fatal(err)
	}
	other, err := g.connect()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, m := range []string{"ReadLogStream", "CloseLogStream"} {
		args := []any{id}
		if m == "ReadLogStream" {
			args = append(args, uint32(0))
		}
		if err := mgr(other.call).Call("io.svunit1.Manager."+m, 0, args...).Err; err == nil || !strings.Contains(err.Error(), "No log stream") {
			t.Errorf("%s of another connection's stream: %v", m, err)
		}
	}
	var lines []string
	var skipped uint32
	var open bool
	if err := mgr(c.call).Call("io.svunit1.Manager.ReadLogStream", 0, id, uint32(5000)).Store(&lines, &skipped, &open); err != nil || strings.Join(lines, ",") != "two" || !open {
		t.Errorf("ReadLogStream = %q, %d, %v, %v", lines, skipped, open, err)
	}
	if err := mgr(c.call).Call("io.svunit1.Manager.CloseLogStream", 0, id).Err; err != nil {
		t.Errorf("CloseLogStream: %v", err)
	}
	if err := mgr(c.call).Call("io.svunit1.Manager.ReadLogStream", 0, id, uint32(0)).Err; err == nil {
		t.Errorf("ReadLogStream after CloseLogStream succeeded")
	}
}
