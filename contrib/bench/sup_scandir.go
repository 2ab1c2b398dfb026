//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// scanDir is what s6 and runit share: a directory of service directories,
// each with a run script, watched by one scanner process (s6-svscan,
// runsvdir) that starts one supervisor process per service (s6-supervise,
// runsv). Output goes through a second service, the logger (s6-log,
// svlogd), which the supervisor pipes the program into. They have no
// StartSecs, no autostart switch and no API, so they appear only where a
// workload applies.
type scanDir struct {
	col       string
	scanner   string // the scanner binary
	superComm string // the per-service supervisor's command name
	logComm   string // the logger's command name
	// flags are the scanner's options for n services.
	flags func(n int) []string
	// logger returns the log/run script that rotates into dir at maxBytes
	// keeping backups files, and files to write into dir beforehand.
	logger func(dir string, maxBytes int64, backups int) (run string, files map[string]string)
	// stopFiles, when set, are the files that give a service directory a
	// stop timeout; without, the shutdown applies it.
	stopFiles func(wait time.Duration) map[string]string
	// shutdown is the system's own way to stop everything and exit.
	shutdown func(in *scanInstance) error
}

func (s scanDir) name() string { return s.col }
func (s scanDir) api() error   { return na("no API") }

func (s scanDir) launch(ctx context.Context, dir string, progs []prog) (instance, error) {
	return s.start(ctx, dir, progs)
}

// writeServices writes DIR/NAME/run for each prog: a shell that execs the
// program, as these systems' services usually are.
func (s scanDir) writeServices(dir string, progs []prog) error {
	for _, p := range progs {
		switch {
		case p.StartSecs != 0:
			return na("no StartSecs")
		case !p.Autostart:
			return na("not measured (services start with %s)", s.scanner)
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
		if s.stopFiles != nil {
			if err := writeFiles(sd, s.stopFiles(stopWait(p))); err != nil {
				return err
			}
		}
		if p.Log != "" {
			if err := s.writeLogger(filepath.Join(sd, "log"), logDir(p), p.LogMax, p.LogBackups); err != nil {
				return err
			}
		}
	}
	return nil
}

// logDir is where a prog's logger writes: these loggers rotate within a
// directory, not next to a file.
func logDir(p prog) string { return p.Log + ".d" }

func (s scanDir) writeLogger(sd, dir string, maxBytes int64, backups int) error {
	for _, d := range []string{sd, dir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	run, files := s.logger(dir, maxBytes, backups)
	if err := writeFiles(dir, files); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(sd, "run"), []byte(run), 0o755)
}

// writeFiles writes each name → content of files into dir.
func writeFiles(dir string, files map[string]string) error {
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// stopWait is a prog's stop timeout, the default (Supervisor's and
// svunit's) when it sets none.
func stopWait(p prog) time.Duration {
	if p.StopWait > 0 {
		return p.StopWait
	}
	return 10 * time.Second
}

// logFiles lists a prog's log files oldest first: the archives, named
// @TAI64N timestamp by both loggers so that names sort by age (.s complete,
// .u cut short), then previous (being archived), then current. Files that
// do not exist are skipped by the readers.
func (s *scanInstance) logFiles(name string) []string {
	dir := s.logDirs[name]
	var out []string
	for _, pat := range []string{"@*.s", "@*.u"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		out = append(out, m...)
	}
	slices.Sort(out)
	// During a rotation current is renamed previous until it is archived.
	return append(out, filepath.Join(dir, "previous"), filepath.Join(dir, "current"))
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
	in := &scanInstance{daemon: d, sys: s, services: svc, n: len(progs), logDirs: map[string]string{}}
	for _, p := range progs {
		if p.Log != "" {
			in.logDirs[p.Name] = logDir(p)
		}
		in.stopWait = max(in.stopWait, stopWait(p))
	}
	return in, nil
}

type scanInstance struct {
	*daemon
	sys      scanDir
	services string
	n        int
	logDirs  map[string]string // prog → its logger's directory
	stopWait time.Duration     // the longest stop timeout of the programs
}

// terminate is the system's own shutdown.
func (s *scanInstance) terminate() error { return s.sys.shutdown(s) }

// runShutdown runs a system's shutdown tool, allowing it 30 s.
func runShutdown(argv []string, exitOK ...int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return runTool(ctx, argv, exitOK...)
}

// own is the scanner, its per-service supervisors and the loggers.
func (s *scanInstance) own() ([]proc, error) {
	ds, err := descendants(s.p.PID)
	if err != nil {
		return nil, err
	}
	out := []proc{s.p}
	for _, d := range ds {
		if (d.Comm == s.sys.superComm || d.Comm == s.sys.logComm) && d.State != 'Z' {
			out = append(out, proc{PID: d.PID, Start: d.StartTime})
		}
	}
	return out, nil
}

func (s *scanInstance) running(context.Context) (int, error) { return 0, s.sys.api() }
func (s *scanInstance) cli(context.Context, ...string) error { return s.sys.api() }
func (s *scanInstance) info(context.Context, string) error   { return s.sys.api() }

func (s *scanInstance) startStop(context.Context, string) (bool, error) {
	return false, na("not measured")
}

// settle waits until every service has its supervisor process and every
// logger runs, so that own() finds them all.
func (s *scanInstance) settle(ctx context.Context) error {
	what := fmt.Sprintf("%d %s and %d %s processes", s.n, s.sys.superComm, len(s.logDirs), s.sys.logComm)
	return waitFor(ctx, 60*time.Second, 20*time.Millisecond, what, func() (bool, error) {
		if s.hasExited() {
			return false, s.failure()
		}
		sup, err := countComm(s.p.PID, s.sys.superComm)
		if err != nil {
			return false, err
		}
		logs, err := countComm(s.p.PID, s.sys.logComm)
		return sup >= s.n && logs >= len(s.logDirs), err
	})
}
