package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/bus/api"
)

// TestLogsOverBus reads a unit's log through the daemon: the last lines,
// and following it both ways a client can, with the descriptor FollowLog
// passes (local clients) and by polling a log stream (-H: no descriptor
// crosses ssh).
func TestLogsOverBus(t *testing.T) {
	d := startDaemon(t, buildSvunit(t), map[string]string{
		"talk.unit": "[Service]\nExecStart=/bin/sh -c 'echo one; echo two; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n",
	})
	d.expect(0, "start", "talk")
	c := d.connect()
	t.Run("descriptor", func(t *testing.T) { testFollow(t, d.with(t), c.followLog) })
	t.Run("polled", func(t *testing.T) { testFollow(t, d.with(t), c.followLogPolled) })
	t.Run("tail", func(t *testing.T) {
		if tail, err := c.tailLog(context.Background(), "talk", "stdout", 1); err != nil || strings.Join(tail, ",") != "two" {
			t.Errorf("tailLog = %q, %v", tail, err)
		}
	})
	t.Run("a stream is its opener's", func(t *testing.T) { testLogStreamOwner(t, c, d.with(t).connect()) })
}

// testFollow follows talk.unit's stdout with follow: the last two lines,
// then the lines the unit writes when it restarts, also into a new file
// after a rotation; follow returns nil soon after its context ends.
func testFollow(t *testing.T, d *daemon, follow func(context.Context, string, string, int, io.Writer) error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	followed := make(chan error, 1)
	go func() {
		err := follow(ctx, "talk", "stdout", 2, pw)
		followed <- err
		pw.CloseWithError(err)
	}()
	got := lines(pr)
	expectLine(t, got, "the follower", "one", "two")
	d.expect(0, "restart", "talk") // appends one, two
	expectLine(t, got, "the follower after a restart", "one", "two")
	d.expect(0, "logs", "--rotate", "talk")
	d.expect(0, "restart", "talk") // into the new file
	expectLine(t, got, "the follower after a rotation", "one", "two")
	cancel()
	select {
	case err := <-followed:
		if err != nil {
			t.Errorf("the follower after its context ended: %v", err)
		}
	case <-time.After(patience):
		t.Fatalf("the follower did not return within %v of its context's end", patience)
	}
}

// testLogStreamOwner checks that only the connection that opened a log
// stream may read or close it.
func testLogStreamOwner(t *testing.T, c, other *client) {
	mgr := func(conn *dbus.Conn) dbus.BusObject { return conn.Object(api.SvunitName, api.ManagerPath) }
	var id string
	if err := mgr(c.call).Call("io.svunit1.Manager.OpenLogStream", 0, "talk", "stdout", uint32(1)).Store(&id); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"ReadLogStream", "CloseLogStream"} {
		args := []any{id}
		if m == "ReadLogStream" {
			args = append(args, uint32(0))
		}
		if err := mgr(other.call).Call("io.svunit1.Manager."+m, 0, args...).Err; err == nil || !strings.Contains(err.Error(), "No log stream") {
			t.Errorf("%s of another connection's stream: %v", m, err)
		}
	}
	var read []string
	var skipped uint32
	var open bool
	if err := mgr(c.call).Call("io.svunit1.Manager.ReadLogStream", 0, id, uint32(5000)).Store(&read, &skipped, &open); err != nil || strings.Join(read, ",") != "two" || !open {
		t.Errorf("ReadLogStream = %q, %d, %v, %v", read, skipped, open, err)
	}
	if err := mgr(c.call).Call("io.svunit1.Manager.CloseLogStream", 0, id).Err; err != nil {
		t.Errorf("CloseLogStream: %v", err)
	}
	if err := mgr(c.call).Call("io.svunit1.Manager.ReadLogStream", 0, id, uint32(0)).Err; err == nil {
		t.Errorf("ReadLogStream after CloseLogStream succeeded")
	}
}
