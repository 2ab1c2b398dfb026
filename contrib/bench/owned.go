//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// errGone says a process is no longer the one the harness started: it
// exited, or its pid now belongs to someone else.
var errGone = errors.New("process is gone")

// A proc is a process the harness started, or a descendant of one: its pid
// and the start time that tells it from a later process with the same pid.
type proc struct {
	PID   int
	Start uint64
}

func (p proc) String() string { return fmt.Sprintf("pid %d", p.PID) }

// identify reads pid's start time, so the pid can be signalled safely later.
func identify(pid int) (proc, error) {
	st, err := readStat(pid)
	if err != nil {
		return proc{}, fmt.Errorf("pid %d: %w", pid, errGone)
	}
	return proc{PID: pid, Start: st.StartTime}, nil
}

// signal sends sig to p if p is still the process it was: the pidfd pins
// the process, and the start time read after opening it proves which one.
func (p proc) signal(sig syscall.Signal) error {
	fd, err := unix.PidfdOpen(p.PID, 0)
	if err != nil {
		return fmt.Errorf("%v: %w", p, errGone)
	}
	defer unix.Close(fd)
	st, err := readStat(p.PID)
	if err != nil || st.StartTime != p.Start {
		return fmt.Errorf("%v: %w", p, errGone)
	}
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("%v: %w", p, errGone)
		}
		return fmt.Errorf("signal %v to %v: %v", sig, p, err)
	}
	return nil
}

// alive reports whether p still runs (a zombie does not).
func (p proc) alive() bool {
	st, err := readStat(p.PID)
	return err == nil && st.StartTime == p.Start && st.State != 'Z'
}

// The harness's direct children that an exec.Cmd waits for; orphans that
// land on the harness (it is a subreaper) are everything else, and the
// harness reaps those itself.
var tracked struct {
	mu   sync.Mutex // guards pids
	pids map[int]bool
}

// becomeSubreaper makes orphaned descendants the harness's children, so
// none escapes cleanup.
func becomeSubreaper() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %v", err)
	}
	return nil
}

// startCmd starts c in its own process group, killed if the harness dies,
// and tracks it; the caller must call c.Wait (through waitCmd).
func startCmd(c *exec.Cmd) (proc, error) {
	if c.SysProcAttr == nil {
		c.SysProcAttr = &syscall.SysProcAttr{}
	}
	c.SysProcAttr.Setpgid = true
	c.SysProcAttr.Pdeathsig = syscall.SIGKILL
	tracked.mu.Lock()
	defer tracked.mu.Unlock()
	if err := c.Start(); err != nil {
		return proc{}, fmt.Errorf("start %s: %v", c.Path, err)
	}
	if tracked.pids == nil {
		tracked.pids = map[int]bool{}
	}
	tracked.pids[c.Process.Pid] = true
	p, err := identify(c.Process.Pid)
	if err != nil {
		// It already exited; its start time is lost but it is reaped by Wait.
		p = proc{PID: c.Process.Pid}
	}
	return p, nil
}

// waitCmd waits for a command started with startCmd.
func waitCmd(c *exec.Cmd) error {
	err := c.Wait()
	tracked.mu.Lock()
	delete(tracked.pids, c.Process.Pid)
	tracked.mu.Unlock()
	return err
}

// reapOrphans collects the exit status of orphans the harness inherited as
// a subreaper, so no zombie stays; it leaves tracked children alone.
func reapOrphans() {
	ds, err := descendants(os.Getpid())
	if err != nil {
		return
	}
	tracked.mu.Lock()
	defer tracked.mu.Unlock()
	for _, d := range ds {
		if d.PPID == os.Getpid() && d.State == 'Z' && !tracked.pids[d.PID] {
			var ws syscall.WaitStatus
			syscall.Wait4(d.PID, &ws, syscall.WNOHANG, nil)
		}
	}
}

// killDescendants SIGKILLs every descendant of the harness, except the
// processes in keep, and waits until they are gone (reaping orphans), or
// until the deadline.
func killDescendants(keep map[int]bool, within time.Duration) error {
	return killUntilGone(within, "descendants", func(ds []procStat) (live []procStat) {
		for _, d := range ds {
			if !keep[d.PID] && d.State != 'Z' {
				live = append(live, d)
			}
		}
		return live
	})
}

// killUntilGone SIGKILLs the descendants of the harness that pick chooses,
// again and again, reaping orphans, until pick chooses none or the
// deadline passes; what names them in the error.
func killUntilGone(within time.Duration, what string, pick func([]procStat) []procStat) error {
	deadline := time.Now().Add(within)
	for {
		ds, err := descendants(os.Getpid())
		if err != nil {
			return err
		}
		live := pick(ds)
		for _, d := range live {
			proc{PID: d.PID, Start: d.StartTime}.signal(syscall.SIGKILL)
		}
		reapOrphans()
		if len(live) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d %s still alive after SIGKILL and %v", len(live), what, within)
		}
		time.Sleep(10 * time.Millisecond) // poll interval of a condition wait
	}
}

// killTree SIGKILLs p and its descendants (found while p lives, so they are
// not lost when they reparent), then any orphan the harness inherited
// meanwhile, and waits until all are gone.
func killTree(p proc, within time.Duration) error {
	deadline := time.Now().Add(within)
	seen := map[proc]bool{}
	for {
		if ds, err := descendants(p.PID); err == nil && p.alive() {
			for _, d := range ds {
				seen[proc{PID: d.PID, Start: d.StartTime}] = true
			}
		}
		p.signal(syscall.SIGKILL)
		live := 0
		for d := range seen {
			if d.alive() {
				live++
				d.signal(syscall.SIGKILL)
			}
		}
		if live == 0 && !p.alive() {
			return killOrphans(time.Until(deadline))
		}
		reapOrphans()
		if time.Now().After(deadline) {
			return fmt.Errorf("%v: %d descendants still alive after SIGKILL and %v", p, live, within)
		}
		time.Sleep(10 * time.Millisecond) // poll interval of a condition wait
	}
}

// killOrphans SIGKILLs the processes the harness inherited as a subreaper
// (its children that no exec.Cmd owns) and their descendants, and reaps
// them.
func killOrphans(within time.Duration) error {
	return killUntilGone(within, "inherited orphans", func(ds []procStat) (live []procStat) {
		keep := trackedSet()
		owned := map[int]bool{} // tracked children and their descendants
		for _, d := range ds {  // parents come before their children
			if keep[d.PID] || owned[d.PPID] {
				owned[d.PID] = true
			} else if d.State != 'Z' {
				live = append(live, d)
			}
		}
		return live
	})
}

func trackedSet() map[int]bool {
	tracked.mu.Lock()
	defer tracked.mu.Unlock()
	out := make(map[int]bool, len(tracked.pids))
	for p := range tracked.pids {
		out[p] = true
	}
	return out
}
