package api

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"svunit.dev/svunit/units/manager"
)

// rootSlice is systemd's name for the top of its unit tree; systemctl status
// without a unit asks GetUnitProcesses for it, and svunit answers with the
// processes of every unit.
const rootSlice = "-.slice"

// unitProcess is one a(sus) entry of GetUnitProcesses: the group the
// process is shown under, its pid and its command line.
type unitProcess struct {
	Group   string
	PID     uint32
	Cmdline string
}

// getUnitProcesses lists a unit's processes, or every unit's for "-.slice".
// Each is shown under the unit's cgroup path, its ControlGroup property,
// from which systemctl draws the tree; a unit that runs in no cgroup has its
// processes under "/NAME", an honest label outside systemd's tree. The
// processes are those of the unit's cgroup where it has one, else its main
// and control processes with the members of their process groups.
func getUnitProcesses(c *call) ([]any, error) {
	var snaps []manager.Snapshot
	if c.str(0) == rootSlice {
		snaps = c.a.m.Units()
	} else {
		s, ok := c.a.resolve(c.str(0))
		if !ok {
			return nil, noSuchUnit(c.str(0))
		}
		snaps = []manager.Snapshot{s}
	}
	out := []unitProcess{}
	var groups map[int][]int // read from /proc once, when a unit needs it
	for _, s := range snaps {
		if s.Unit == nil {
			continue
		}
		group := s.CgroupPath()
		if group == "" {
			group = "/" + s.Unit.Name
			if groups == nil && (s.MainPID > 0 || s.ControlPID > 0) {
				groups = processGroups()
			}
		}
		for _, pid := range unitPIDs(&s, groups) {
			out = append(out, unitProcess{group, uint32(pid), cmdline(pid)})
		}
	}
	return []any{out}, nil
}

// unitPIDs returns the processes of s, sorted: those in its cgroup, or
// where it has none (or an empty one) its main and control processes and
// the other members of their process groups (groups maps a process group
// to its members).
func unitPIDs(s *manager.Snapshot, groups map[int][]int) []int {
	var pids []int
	if s.ControlGroup != "" {
		b, _ := os.ReadFile(filepath.Join(s.ControlGroup, "cgroup.procs"))
		for _, f := range bytes.Fields(b) {
			if pid, err := strconv.Atoi(string(f)); err == nil && pid > 0 {
				pids = append(pids, pid)
			}
		}
	}
	if len(pids) == 0 {
		for _, pid := range []int{s.MainPID, s.ControlPID} {
			if pid > 0 {
				pids = append(pids, pid)
				pids = append(pids, groups[pid]...) // the manager makes each a group leader
			}
		}
	}
	sort.Ints(pids)
	return slices.Compact(pids)
}

// processGroups maps each process group to its live members, from
// /proc/PID/stat; it is empty where there is no /proc.
func processGroups() map[int][]int {
	groups := map[int][]int{}
	names, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, n := range names {
		b, err := os.ReadFile(n)
		// The command name may hold spaces and ')': count from the last ')'.
		i := bytes.LastIndexByte(b, ')')
		if err != nil || i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:]) // state ppid pgrp …
		pid, err1 := strconv.Atoi(filepath.Base(filepath.Dir(n)))
		if len(f) < 3 || string(f[0]) == "Z" || err1 != nil {
			continue
		}
		if pgid, err := strconv.Atoi(string(f[2])); err == nil && pgid != pid {
			groups[pgid] = append(groups[pgid], pid)
		}
	}
	return groups
}

// cmdline returns a process's command line with its arguments joined by
// spaces, or "" where /proc does not say (another OS, a process just gone);
// systemctl then shows the pid alone.
func cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}
