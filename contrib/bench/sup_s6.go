//go:build linux

package main

import (
	"context"
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
	return s6{scanDir: scanDir{col: colS6, scanner: paths["s6-svscan"], superComm: "s6-supervise", flags: s6Flags}, ctl: paths["s6-svscanctl"]}
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
