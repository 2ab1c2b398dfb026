//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// runit is Gerrit Pape's runit: runsvdir with one runsv per service.
type runit struct {
	scanDir
	sv string
}

func newRunit(paths map[string]string) system {
	return runit{scanDir: scanDir{col: colRunit, scanner: paths["runsvdir"], superComm: "runsv", logComm: "svlogd", flags: func(int) []string { return nil }, logger: svlogdLogger}, sv: paths["sv"]}
}

func (r runit) launch(ctx context.Context, dir string, progs []prog) (instance, error) {
	in, err := r.start(ctx, dir, progs)
	if err != nil {
		return nil, err
	}
	return &runitInstance{scanInstance: in, sv: r.sv}, nil
}

type runitInstance struct {
	*scanInstance
	sv string
}

// terminate is runit's stage-3 shutdown: sv force-shutdown on every
// service (TERM, then KILL after the wait, then runsv exits), then SIGHUP
// to runsvdir, which exits. runsvdir alone has no shutdown that stops the
// services: SIGTERM only makes it exit.
func (r *runitInstance) terminate() error {
	ents, err := os.ReadDir(r.services)
	if err != nil {
		return err
	}
	args := []string{"-w", "10", "force-shutdown"}
	for _, e := range ents {
		args = append(args, filepath.Join(r.services, e.Name()))
	}
	c := exec.Command(r.sv, args...)
	if _, err := startCmd(c); err != nil {
		return err
	}
	if err := waitCmd(c); err != nil {
		return fmt.Errorf("sv force-shutdown: %v", err)
	}
	return r.p.signal(syscall.SIGHUP)
}

func errTimeout(what string) error { return fmt.Errorf("%s did not finish within 30s", what) }

// svlogdLogger runs svlogd with its config file: s (rotation size) and n
// (archives kept).
func svlogdLogger(dir string, maxBytes int64, backups int) (string, map[string]string) {
	return fmt.Sprintf("#!/bin/sh\nexec svlogd %s\n", dir), map[string]string{"config": fmt.Sprintf("s%d\nn%d\n", maxBytes, backups)}
}
