//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A daemon is a manager process the harness started and waits for.
type daemon struct {
	cmd  *exec.Cmd
	p    proc
	log  string        // its standard output and error
	done chan struct{} // closed once reaped
	err  error         // Wait's result, set before done closes

	once sync.Once
}

// startDaemon runs argv with output into logPath (appended), in dir.
func startDaemon(argv []string, logPath string, env []string) (*daemon, error) {
	out, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	c := exec.Command(argv[0], argv[1:]...)
	c.Stdout, c.Stderr = out, out
	c.Env = append(os.Environ(), env...)
	p, err := startCmd(c)
	if err != nil {
		return nil, err
	}
	d := &daemon{cmd: c, p: p, log: logPath, done: make(chan struct{})}
	go func() {
		d.err = waitCmd(c)
		close(d.done)
	}()
	return d, nil
}

func (d *daemon) pid() proc               { return d.p }
func (d *daemon) exited() <-chan struct{} { return d.done }
func (d *daemon) terminate() error        { return d.p.signal(syscall.SIGTERM) }

// close kills the daemon and its descendants and waits until it is reaped.
func (d *daemon) close() error {
	var err error
	d.once.Do(func() {
		err = killTree(d.p, 30*time.Second)
		select {
		case <-d.done:
		case <-time.After(10 * time.Second):
			if err == nil {
				err = fmt.Errorf("%s (%v) not reaped 10s after SIGKILL", d.cmd.Path, d.p)
			}
		}
	})
	return err
}

// failure describes a daemon that exited early, with the end of its log.
func (d *daemon) failure() error {
	b, _ := os.ReadFile(d.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return fmt.Errorf("%s exited (%v); the end of %s:\n\t%s", d.cmd.Path, d.err, d.log, strings.Join(lines, "\n\t"))
}

// hasExited reports whether the daemon is gone.
func (d *daemon) hasExited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}
