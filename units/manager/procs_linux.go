package manager

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// procInfo is the part of /proc/PID/stat the manager uses.
type procInfo struct {
	pid, ppid, pgid, sid int
	state                byte
}

// readStat parses /proc/PID/stat. The command name may hold spaces and
// parentheses, so fields are counted from the last ')'. It reads into a
// stack buffer: stopping a thousand units reads /proc a thousand times.
func readStat(pid int) (procInfo, bool) {
	fd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return procInfo{}, false
	}
	var buf [512]byte
	n, err := syscall.Read(fd, buf[:])
	syscall.Close(fd)
	if err != nil || n <= 0 {
		return procInfo{}, false
	}
	b := buf[:n]
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

// A procIndex is one reading of /proc, indexed for finding a unit's
// processes. It is never modified once built.
type procIndex struct {
	at     time.Time
	kids   map[int][]int // ppid → children
	groups map[int][]int // pgid → members
	self   []int         // the manager's own children
}

func newProcIndex() *procIndex {
	self := os.Getpid()
	at := time.Now()
	ps := listProcs()
	x := &procIndex{at: at, kids: make(map[int][]int, len(ps)), groups: make(map[int][]int, len(ps))}
	for _, p := range ps {
		x.kids[p.ppid] = append(x.kids[p.ppid], p.pid)
		x.groups[p.pgid] = append(x.groups[p.pgid], p.pid)
		if p.ppid == self {
			x.self = append(x.self, p.pid)
		}
	}
	return x
}

// procCache shares one procIndex between the units that look at /proc
// at the same moment (Shutdown stops a thousand at once): a caller uses
// an index begun after it asked, so it sees every process that existed
// when it asked, and callers that queue behind one reading share the next.
var procCache struct {
	sync.Mutex
	x *procIndex // guarded by the mutex
}

// procs returns an index of /proc read after the call began.
func procs() *procIndex {
	asked := time.Now()
	procCache.Lock()
	defer procCache.Unlock()
	if x := procCache.x; x != nil && !x.at.Before(asked) {
		return x
	}
	procCache.x = newProcIndex()
	return procCache.x
}

// members returns the live processes of one run of a unit: its process
// group, every descendant of its main process (or of the main process that
// just exited), and every orphan the manager inherited as subreaper that
// carries the run's INVOCATION_ID, with their descendants. This finds a
// grandchild that left the group with setsid, whether or not its parent is
// still alive.
func members(g procGroup, r *reaper) []int {
	if g.cgroup != "" {
		return cgroupProcs(g.cgroup)
	}
	x := procs()
	self := os.Getpid()
	var queue []int
	seen := make(map[int]bool)
	add := func(pid int) {
		if pid > 1 && pid != self && !seen[pid] {
			seen[pid] = true
			queue = append(queue, pid)
		}
	}
	add(g.main)
	if g.last != g.main {
		for _, k := range x.kids[g.last] { // a main process that just exited
			add(k)
		}
	}
	if g.pgid > 0 {
		for _, pid := range x.groups[g.pgid] {
			add(pid)
		}
	}
	for _, pid := range x.self {
		if isOrphanOf(pid, g, r) {
			add(pid)
		}
	}
	for i := 0; i < len(queue); i++ {
		for _, k := range x.kids[queue[i]] {
			add(k)
		}
	}
	return queue
}

// isOrphanOf reports whether child pid of the manager is no unit's main
// process and carries g's INVOCATION_ID.
func isOrphanOf(pid int, g procGroup, r *reaper) bool {
	return g.invocation != "" && r.owner(pid) == nil && hasInvocation(pid, g.invocation)
}

// hasLeftovers reports cheaply whether a run whose main process exited may
// have processes left: its process group is not empty, or the manager has
// a child no unit owns that carries the run's INVOCATION_ID.
func hasLeftovers(g procGroup, r *reaper) bool {
	if g.cgroup != "" {
		return len(cgroupProcs(g.cgroup)) > 0
	}
	if g.pgid > 0 && syscall.Kill(-g.pgid, 0) == nil {
		return true
	}
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, t := range tasks {
		b, _ := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		for _, f := range bytes.Fields(b) {
			if pid, _ := strconv.Atoi(string(f)); isOrphanOf(pid, g, r) {
				return true
			}
		}
	}
	return false
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

// signalGroup sends sigs, in order, to every member of g (all but the
// main process with exceptMain); it reports how many signals it delivered.
func signalGroup(g procGroup, r *reaper, exceptMain bool, sigs ...syscall.Signal) int {
	n := 0
	if !exceptMain && g.pgid > 0 {
		for _, sig := range sigs { // the whole group at once, including what forked since /proc was read
			if syscall.Kill(-g.pgid, sig) == nil {
				n++
			}
		}
	}
	for _, pid := range members(g, r) {
		if exceptMain && pid == g.main {
			continue
		}
		for _, sig := range sigs {
			if syscall.Kill(pid, sig) == nil {
				n++
			}
		}
	}
	return n
}

// ppidOf returns pid's parent, or 0.
func ppidOf(pid int) int {
	p, _ := readStat(pid)
	return p.ppid
}
