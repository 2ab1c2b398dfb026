package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/bus/api"
)

// The bus side of 'svunit logs': reading a unit's output through the
// daemon, for users who may not read the log files themselves (the daemon
// checks its access rules for the "logs" verb). cmd_logs.go reads local
// files directly and falls back to these.

// tailLog returns the last n lines of unit's stream ("stdout" or "stderr").
func (c *client) tailLog(ctx context.Context, unit, stream string, n int) ([]string, error) {
	var lines []string
	err := c.svunit(ctx, "TailLog", []any{&lines}, unit, stream, uint32(max(n, 0)))
	return lines, err
}

// followLog writes the last n lines of unit's stream to w, then each new
// line as the unit writes it, until ctx ends or the daemon stops.
func (c *client) followLog(ctx context.Context, unit, stream string, n int, w io.Writer) error {
	var fd dbus.UnixFD
	if err := c.svunit(ctx, "FollowLog", []any{&fd}, unit, stream, uint32(max(n, 0))); err != nil {
		return err
	}
	// Non-blocking, so that the runtime's poller reads it and Close (when
	// ctx ends) interrupts a read that waits for the next line.
	syscall.SetNonblock(int(fd), true)
	f := os.NewFile(uintptr(fd), unit+" "+stream)
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	_, err := io.Copy(w, f)
	if ctx.Err() != nil {
		return nil
	}
	f.Close()
	return err
}

// followLogPolled is followLog for connections that cannot carry a file
// descriptor (-H: ssh): the daemon follows the file in a log stream and
// the client long-polls it for lines, so a quiet log costs one call per
// pollWait and a busy one a call per batch of lines.
func (c *client) followLogPolled(ctx context.Context, unit, stream string, n int, w io.Writer) error {
	call := c.call.Object(api.SvunitName, api.ManagerPath).CallWithContext(ctx, "io.svunit1.Manager.OpenLogStream", 0, unit, stream, uint32(max(n, 0)))
	if isUnknownMethod(call.Err) {
		return errors.New("this daemon cannot follow a log without a file descriptor (it has no OpenLogStream); run 'ssh HOST svunit logs -f UNIT'")
	}
	if err := callError(call.Err); err != nil {
		return err
	}
	var id string
	if err := call.Store(&id); err != nil {
		return err
	}
	defer func() {
		// The stream would end by itself after a minute unread; closing it
		// frees the daemon's follower now. Best effort: the connection may
		// be gone.
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c.svunit(cctx, "CloseLogStream", nil, id)
	}()
	for {
		var lines []string
		var skipped uint32
		var open bool
		err := c.svunit(ctx, "ReadLogStream", []any{&lines, &skipped, &open}, id, uint32(pollWait/time.Millisecond))
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if skipped > 0 {
			fmt.Fprintf(os.Stderr, "svunit logs: %s: %d lines skipped: this client fell more than a MiB behind\n", unit, skipped)
		}
		for _, l := range lines {
			if _, err := io.WriteString(w, l+"\n"); err != nil {
				return err
			}
		}
		if !open {
			return errors.New("the daemon ended the log stream (is it stopping?)")
		}
	}
}

// pollWait is how long one ReadLogStream waits for a line.
const pollWait = 25 * time.Second
