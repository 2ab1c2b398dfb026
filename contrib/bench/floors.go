//go:build linux

package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// floorSpawn is the launch floor: fork/exec of n sleep programs from Go,
// each in its own process group as a manager would, until the last exec
// has succeeded (os.StartProcess returns once the child has exec'd). The
// children are killed afterwards.
func floorSpawn(n int) (time.Duration, error) {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer null.Close()
	attr := &os.ProcAttr{
		Files: []*os.File{null, null, null},
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	}
	var kids []*os.Process
	defer func() {
		for _, k := range kids {
			if p, err := identify(k.Pid); err == nil {
				p.signal(syscall.SIGKILL)
			}
			k.Wait()
		}
		untrack(kids)
	}()
	tracked.mu.Lock()
	if tracked.pids == nil {
		tracked.pids = map[int]bool{}
	}
	t0 := time.Now()
	for range n {
		k, err := os.StartProcess(sleepPath, []string{"sleep", "infinity"}, attr)
		if err != nil {
			tracked.mu.Unlock()
			return 0, fmt.Errorf("fork/exec %s: %v", sleepPath, err)
		}
		tracked.pids[k.Pid] = true
		kids = append(kids, k)
	}
	d := time.Since(t0)
	tracked.mu.Unlock()
	return d, nil
}

func untrack(ps []*os.Process) {
	tracked.mu.Lock()
	defer tracked.mu.Unlock()
	for _, p := range ps {
		delete(tracked.pids, p.Pid)
	}
}
