//go:build linux

package main

import (
	"os"
	"strconv"
)

// An execWatch counts the harness's descendants that have exec'd a given
// command, while programs only accumulate (a launch). It reads each
// process's stat as seldom as it can, because scanning a thousand of them
// every few milliseconds would take CPU from the manager being measured:
// a process counted stays counted, and the per-service supervisors
// (s6-supervise, runsv), once known, are not read again.
type execWatch struct {
	comm    string
	stable  map[string]bool // commands that never turn into comm
	ours    map[int]string  // descendants of the harness seen so far → command
	counted map[int]bool    // those running comm
	settled map[int]bool    // ours with a stable command: not read again
}

func newExecWatch(comm string, stable ...string) *execWatch {
	w := &execWatch{comm: comm, stable: map[string]bool{}, ours: map[int]string{os.Getpid(): "bench"},
		counted: map[int]bool{}, settled: map[int]bool{}}
	for _, s := range stable {
		w.stable[s] = true
	}
	return w
}

// count scans /proc once and returns how many descendants run comm.
func (w *execWatch) count() (int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return 0, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return 0, err
	}
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || w.counted[pid] || w.settled[pid] {
			continue
		}
		st, err := readStat(pid)
		parent, ok := w.ours[st.PPID]
		if err != nil || !ok {
			continue // gone, or not ours (yet: its parent may be read later)
		}
		w.ours[pid] = st.Comm
		switch {
		case st.Comm == w.comm && st.State != 'Z':
			w.counted[pid] = true
		case w.stable[st.Comm] && parent != st.Comm:
			// A helper its scanner started; its own forks carry its
			// name until they exec, so those are read again.
			w.settled[pid] = true
		}
	}
	return len(w.counted), nil
}
