//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of the times in /proc/PID/stat: 100 on
// every Linux architecture the harness runs on.
const clockTicks = 100

// A procStat is the part of /proc/PID/stat the harness uses.
type procStat struct {
	PID       int
	PPID      int
	State     byte   // R, S, D, Z…
	Comm      string // the executable's name, 15 bytes at most
	CPUTicks  uint64 // utime + stime, in clock ticks
	StartTime uint64 // clock ticks after boot: with PID, a process's identity
}

// readStat reads /proc/PID/stat.
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseStat(pid, b)
}

// parseStat parses a stat line; the command name may hold spaces and
// parentheses, so the fields are counted from its last ')'.
func parseStat(pid int, b []byte) (procStat, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no command name in %q", pid, b)
	}
	f := strings.Fields(string(b[end+1:]))
	// f[0] is field 3 (state): field k of proc(5) is f[k-3].
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields, want at least 22", pid, len(f)+2)
	}
	num := func(i int) uint64 { n, _ := strconv.ParseUint(f[i], 10, 64); return n }
	return procStat{
		PID:       pid,
		PPID:      int(num(1)),
		State:     f[0][0],
		Comm:      string(b[open+1 : end]),
		CPUTicks:  num(11) + num(12),
		StartTime: num(19),
	}, nil
}

// allProcs reads the stat of every process; those that exit meanwhile are
// left out.
func allProcs() (map[int]procStat, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("list /proc: %v", err)
	}
	out := make(map[int]procStat, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil {
			out[pid] = st
		}
	}
	return out, nil
}

// descendants returns every process below root (root excluded), parents
// before their children.
func descendants(root int) ([]procStat, error) {
	all, err := allProcs()
	if err != nil {
		return nil, err
	}
	kids := make(map[int][]int, len(all))
	for pid, st := range all {
		kids[st.PPID] = append(kids[st.PPID], pid)
	}
	var out []procStat
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range kids[p] {
			out = append(out, all[c])
			queue = append(queue, c)
		}
	}
	return out, nil
}

// countComm counts the live descendants of root whose command is comm:
// with comm the program's name, the children that have exec'd it.
func countComm(root int, comm string) (int, error) {
	ds, err := descendants(root)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if d.Comm == comm && d.State != 'Z' {
			n++
		}
	}
	return n, nil
}

// memory is a process's resident and proportional set size, in kB.
type memory struct{ RSS, PSS uint64 }

// readMemory reads /proc/PID/smaps_rollup.
func readMemory(pid int) (memory, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "Rss":
			m.RSS = n
		case "Pss":
			m.PSS = n
		}
	}
	if err := sc.Err(); err != nil {
		return memory{}, fmt.Errorf("/proc/%d/smaps_rollup: %v", pid, err)
	}
	return m, nil
}

// ctxSwitches sums the voluntary and involuntary context switches of every
// thread of pid: each one is the process being put to sleep or preempted,
// so its growth while nothing happens counts wake-ups.
func ctxSwitches(pid int) (uint64, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	d, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	tids, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return 0, fmt.Errorf("list %s: %v", dir, err)
	}
	var total uint64
	for _, t := range tids {
		b, err := os.ReadFile(dir + "/" + t + "/status")
		if err != nil {
			continue // the thread ended
		}
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if ok && (k == "voluntary_ctxt_switches" || k == "nonvoluntary_ctxt_switches") {
				n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
				total += n
			}
		}
	}
	return total, nil
}
