//go:build linux

package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"time"
)

// s6 is skarnet's s6: s6-svscan with one s6-supervise per service.
type s6 struct {
	scanDir
	ctl string // s6-svscanctl
}

func newS6(paths map[string]string) system {
	return s6{scanDir: scanDir{col: colS6, scanner: paths["s6-svscan"], superComm: "s6-supervise", logComm: "s6-log", flags: s6Flags, logger: s6Logger}, ctl: paths["s6-svscanctl"]}
}

func (s s6) launch(ctx context.Context, dir string, progs []prog) (instance, error) {
	in, err := s.start(ctx, dir, progs)
	if err != nil {
		return nil, err
	}
	return &s6Instance{scanInstance: in, ctl: s.ctl}, nil
}

type s6Instance struct {
	*scanInstance
	ctl string
}

// terminate is s6's own shutdown: s6-svscanctl -t brings every service
// down, makes the s6-supervise processes exit, then s6-svscan exits.
func (s *s6Instance) terminate() error {
	c := exec.Command(s.ctl, "-t", s.services)
	if _, err := startCmd(c); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- waitCmd(c) }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		return errTimeout("s6-svscanctl -t")
	}
}

// s6Flags raises s6-svscan's service limit (-c) above the count, as a user
// with that many services would.
func s6Flags(n int) []string { return []string{"-c", strconv.Itoa(max(1000, n+16))} }

// s6MaxFile is the largest archive size s6-log accepts (s directive).
const s6MaxFile = 16777215

// s6Logger runs s6-log with n (archives kept) and s (rotation size, at most
// s6MaxFile, so the big log case rotates more often than on the others).
func s6Logger(dir string, maxBytes int64, backups int) (string, map[string]string) {
	size := min(maxBytes, s6MaxFile)
	n := max(backups, int(int64(backups)*maxBytes/size)+2)
	return fmt.Sprintf("#!/bin/sh\nexec s6-log -b n%d s%d %s\n", n, size, dir), nil
}
