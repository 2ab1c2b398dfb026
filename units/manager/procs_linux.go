package manager

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// procInfo is the part of /proc/PID/stat the manager uses.
type procInfo struct {
	pid, ppid, pgid, sid int
	state                byte
}

// readStat parses /proc/PID/stat. The command name may hold spaces and
// parentheses, so fields are counted from the last ')'.
func readStat(pid int) (procInfo, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return procInfo{}, false
	}
	f := bytes.Fields(b[i+2:]) // state ppid pgrp session …
	if len(f) < 4 || len(f[0]) != 1 {
		return procInfo{}, false
	}
	p := procInfo{pid: pid, state: f[0][0]}
	p.ppid, _ = strconv.Atoi(string(f[1]))
	p.pgid, _ = strconv.Atoi(string(f[2]))
	p.sid, _ = strconv.Atoi(string(f[3]))
	return p, true
}

// listProcs returns every live process (zombies left out).
func listProcs() []procInfo {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	ps := make([]procInfo, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if p, ok := readStat(pid); ok && p.state != 'Z' && p.state != 'X' {
			ps = append(ps, p)
		}
	}
	return ps
}

// members returns the live processes of one run of a unit: its process
// group, every descendant of its main process, and every orphan the
// manager inherited as subreaper that carries the run's INVOCATION_ID,
// with their descendants. This finds a grandchild that left the group
// with setsid, whether or not its parent is still alive.
func members(g procGroup) []int {
	self := os.Getpid()
	ps := listProcs()
	kids := make(map[int][]int, len(ps))
	var queue []int
	seen := make(map[int]bool)
	add := func(pid int) {
		if pid > 1 && pid != self && !seen[pid] {
			seen[pid] = true
			queue = append(queue, pid)
		}
	}
	for _, p := range ps {
		kids[p.ppid] = append(kids[p.ppid], p.pid)
		switch {
		case p.pid == g.main, g.pgid > 0 && p.pgid == g.pgid:
			add(p.pid)
		case p.ppid == self && g.invocation != "" && hasInvocation(p.pid, g.invocation):
			add(p.pid)
		}
	}
	for i := 0; i < len(queue); i++ {
		for _, k := range kids[queue[i]] {
			add(k)
		}
	}
	return queue
}

// hasInvocation reports whether pid's initial environment holds
// INVOCATION_ID=id.
func hasInvocation(pid int, id string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	want := []byte("INVOCATION_ID=" + id)
	for _, kv := range bytes.Split(b, []byte{0}) {
		if bytes.Equal(kv, want) {
			return true
		}
	}
	return false
}

// signalGroup sends sig to every member of g; it reports how many
// processes it signalled.
func signalGroup(g procGroup, sig syscall.Signal, exceptMain bool) int {
	n := 0
	for _, pid := range members(g) {
		if exceptMain && pid == g.main {
			continue
		}
		if syscall.Kill(pid, sig) == nil {
			n++
		}
	}
	return n
}

// ppidOf returns pid's parent, or 0.
func ppidOf(pid int) int {
	p, _ := readStat(pid)
	return p.ppid
}
