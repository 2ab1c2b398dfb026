//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// scanDir is what s6 and runit share: a directory of service directories,
// each with a run script, watched by one scanner process (s6-svscan,
// runsvdir) that starts one supervisor process per service (s6-supervise,
// runsv). They have no StartSecs, no autostart switch, no rotation
// settings of the same kind and no API, so they appear only where a
// workload applies.
type scanDir struct {
	col       string
	scanner   string // the scanner binary
	superComm string // the per-service supervisor's command name
	// flags are the scanner's options for n services.
	flags func(n int) []string
}

func (s scanDir) name() string { return s.col }

// writeServices writes DIR/NAME/run for each prog: a shell that execs the
// program, as these systems' services usually are.
func (s scanDir) writeServices(dir string, progs []prog) error {
	for _, p := range progs {
		switch {
		case p.StartSecs != 0:
			return na("no StartSecs")
		case !p.Autostart:
			return na("not measured (services start with %s)", s.scanner)
		case p.Log != "":
			return na("not measured (its logger is a separate service)")
		}
		cmd, err := commandLine(p.Argv)
		if err != nil {
			return err
		}
		sd := filepath.Join(dir, p.Name)
		if err := os.MkdirAll(sd, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(sd, "run"), []byte("#!/bin/sh\nexec "+cmd+"\n"), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func (s scanDir) start(ctx context.Context, dir string, progs []prog) (*scanInstance, error) {
	svc := filepath.Join(dir, "services")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		return nil, err
	}
	if err := s.writeServices(svc, progs); err != nil {
		return nil, err
	}
	var argv []string
	argv = append(append(append(argv, s.scanner), s.flags(len(progs))...), svc)
	d, err := startDaemon(argv, filepath.Join(dir, s.col+".out"), nil)
	if err != nil {
		return nil, err
	}
	return &scanInstance{daemon: d, sys: s, services: svc, n: len(progs)}, nil
}

type scanInstance struct {
	*daemon
	sys      scanDir
	services string
	n        int
}

// own is the scanner and its per-service supervisors.
func (s *scanInstance) own() ([]proc, error) {
	ds, err := descendants(s.p.PID)
	if err != nil {
		return nil, err
	}
	out := []proc{s.p}
	for _, d := range ds {
		if d.Comm == s.sys.superComm && d.State != 'Z' {
			out = append(out, proc{PID: d.PID, Start: d.StartTime})
		}
	}
	return out, nil
}

func (s *scanInstance) running(context.Context) (int, error) {
	return 0, na("no status API measured")
}

func (s *scanInstance) cli(_ context.Context, args ...string) error {
	return na("not measured (%s has no equivalent of '%s' here)", s.sys.col, strings.Join(args, " "))
}

func (s *scanInstance) info(context.Context, string) error {
	return na("no API")
}

func (s *scanInstance) startStop(context.Context, string) (bool, error) {
	return false, na("not measured")
}

// waitSupervisors waits until every service has its supervisor process.
func (s *scanInstance) waitSupervisors(ctx context.Context) error {
	return waitFor(ctx, 60*time.Second, 20*time.Millisecond, fmt.Sprintf("%d %s processes", s.n, s.sys.superComm), func() (bool, error) {
		if s.hasExited() {
			return false, s.failure()
		}
		n, err := countComm(s.p.PID, s.sys.superComm)
		return n >= s.n, err
	})
}
