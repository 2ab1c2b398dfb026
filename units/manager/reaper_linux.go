package manager

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes orphaned descendants of the manager's children
// become the manager's children, so that they are reaped here and can be
// found when their unit stops.
func becomeSubreaper() {
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// reapAll reaps every exited child. It looks before it reaps (WNOWAIT): a
// child another part of the program started with os/exec (same process
// group as the manager) is left for its own Wait, and the children behind
// it are then found through /proc.
func (r *reaper) reapAll() {
	for {
		pid := peekZombie()
		if pid <= 0 {
			return
		}
		switch {
		case r.owner(pid) != nil:
			r.reap(pid)
		case foreign(pid):
			r.reapBehindForeign()
			return
		default:
			r.reapUnknown(pid)
		}
	}
}

// peekZombie returns the pid of an exited child without reaping it, or 0.
func peekZombie() int {
	var info [128]byte
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_WAITID, unix.P_ALL, 0, uintptr(unsafe.Pointer(&info[0])),
			unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0
		}
		// si_pid follows si_signo, si_errno, si_code and, on 64-bit
		// systems, the padding that aligns the union.
		off := 12 + (unsafe.Sizeof(uintptr(0)) - 4)
		return int(*(*int32)(unsafe.Pointer(&info[off])))
	}
}

// foreign reports whether child pid belongs to the manager's own process
// group: it was started by other code in this program (os/exec), not by a
// unit, since every unit's process starts in a new group.
func foreign(pid int) bool {
	_, pgid, ok := procStat(pid)
	return ok && pgid == syscall.Getpgrp()
}

// reapBehindForeign reaps the exited children that are not foreign, found
// through /proc/self/task/*/children.
func (r *reaper) reapBehindForeign() {
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, t := range tasks {
		b, _ := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		for _, f := range strings.Fields(string(b)) {
			pid, _ := strconv.Atoi(f)
			state, _, ok := procStat(pid)
			if !ok || state != 'Z' || foreign(pid) {
				continue
			}
			if r.owner(pid) != nil {
				r.reap(pid)
			} else {
				r.reapUnknown(pid)
			}
		}
	}
}

// procStat returns the state letter and process group of pid from
// /proc/PID/stat.
func procStat(pid int) (state byte, pgid int, ok bool) {
	st, ok := readStat(pid)
	return st.state, st.pgid, ok
}
