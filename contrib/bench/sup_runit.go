//go:build linux

package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// newRunit is Gerrit Pape's runit: runsvdir with one runsv per service.
func newRunit(paths map[string]string) system {
	sv := paths["sv"]
	return scanDir{
		col: colRunit, scanner: paths["runsvdir"], superComm: "runsv", logComm: "svlogd",
		flags: func(int) []string { return nil }, logger: svlogdLogger,
		shutdown: func(in *scanInstance) error { return runitShutdown(sv, in) },
	}
}

// runitShutdown is runit's stage-3 shutdown: sv force-shutdown on every
// service (TERM, then KILL once the stop timeout, sv's -w, runs out, then
// runsv exits), then SIGHUP to runsvdir, which exits. runsvdir alone has
// no shutdown that stops the services: SIGTERM only makes it exit. runit
// has no stop timeout per service; -w, in whole seconds, is the nearest.
func runitShutdown(sv string, in *scanInstance) error {
	ents, err := os.ReadDir(in.services)
	if err != nil {
		return err
	}
	wait := strconv.Itoa(int(math.Ceil(in.stopWait.Seconds())))
	argv := []string{sv, "-w", wait, "force-shutdown"}
	for _, e := range ents {
		argv = append(argv, filepath.Join(in.services, e.Name()))
	}
	// sv's exit status counts the services it had to kill: not a failure.
	killed := make([]int, 99)
	for i := range killed {
		killed[i] = i + 1
	}
	if err := runShutdown(argv, killed...); err != nil {
		return err
	}
	return in.p.signal(syscall.SIGHUP)
}

// svlogdLogger runs svlogd with its config file: s (rotation size) and n
// (archives kept).
func svlogdLogger(dir string, maxBytes int64, backups int) (string, map[string]string) {
	return fmt.Sprintf("#!/bin/sh\nexec svlogd %s\n", dir), map[string]string{"config": fmt.Sprintf("s%d\nn%d\n", maxBytes, backups)}
}
