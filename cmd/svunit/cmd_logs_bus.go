package main

import (
	"context"
	"io"
	"os"
	"syscall"

	"github.com/godbus/dbus/v5"
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
