//go:build linux

package main

import (
	"fmt"
	"strconv"
	"time"
)

// newS6 is skarnet's s6: s6-svscan with one s6-supervise per service.
func newS6(paths map[string]string) system {
	ctl := paths["s6-svscanctl"]
	return scanDir{
		col: colS6, scanner: paths["s6-svscan"], superComm: "s6-supervise", logComm: "s6-log",
		flags: s6Flags, logger: s6Logger, stopFiles: s6StopFiles,
		// s6's own shutdown: s6-svscanctl -t brings every service down
		// (SIGTERM, then SIGKILL after timeout-kill), makes the
		// s6-supervise processes exit, then s6-svscan exits.
		shutdown: func(in *scanInstance) error { return runShutdown([]string{ctl, "-t", in.services}) },
	}
}

// s6Flags raises s6-svscan's service limit (-c) above the count, as a user
// with that many services would.
func s6Flags(n int) []string { return []string{"-c", strconv.Itoa(max(1000, n+16))} }

// s6StopFiles set the stop timeout: s6-supervise sends SIGKILL timeout-kill
// milliseconds after the stop signal (without it, never).
func s6StopFiles(wait time.Duration) map[string]string {
	return map[string]string{"timeout-kill": strconv.FormatInt(wait.Milliseconds(), 10) + "\n"}
}

// s6MaxFile is the largest archive size s6-log accepts (s directive).
const s6MaxFile = 16777215

// s6Logger runs s6-log with n (archives kept) and s (rotation size, at most
// s6MaxFile, so the big log case rotates more often than on the others).
func s6Logger(dir string, maxBytes int64, backups int) (string, map[string]string) {
	size := min(maxBytes, s6MaxFile)
	n := max(backups, int(int64(backups)*maxBytes/size)+2)
	return fmt.Sprintf("#!/bin/sh\nexec s6-log -b n%d s%d %s\n", n, size, dir), nil
}
