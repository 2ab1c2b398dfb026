//go:build !linux

package manager

import "syscall"

// signalGroup sends sigs to g's process group (and main process): without
// /proc and a subreaper, processes that left the group cannot be found.
func signalGroup(g procGroup, r *reaper, exceptMain bool, sigs ...syscall.Signal) int {
	n := 0
	for _, sig := range sigs {
		if g.pgid > 0 && !exceptMain && syscall.Kill(-g.pgid, sig) == nil {
			n++
		}
		if g.main > 0 && !exceptMain && g.main != g.pgid && syscall.Kill(g.main, sig) == nil {
			n++
		}
	}
	return n
}

// members is unknown without /proc; the process group stands for it.
func members(g procGroup, r *reaper) []int {
	if g.pgid > 0 {
		return []int{g.pgid}
	}
	return nil
}

// ppidOf is unknown without /proc.
func ppidOf(pid int) int { return 0 }

// hasLeftovers reports whether g's process group still has members.
func hasLeftovers(g procGroup, r *reaper) bool {
	return g.pgid > 0 && syscall.Kill(-g.pgid, 0) == nil
}
