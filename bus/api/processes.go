package api

import (
	"bytes"
	"os"
	"path/filepath"
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
// Each is shown under the group "/NAME": systemctl draws the tree of groups
// from these paths, and svunit's units are not in systemd's cgroup tree, so
// the unit name is the honest label. The processes are those of the unit's
// cgroup where the manager uses one, else its main and control processes.
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
	for _, s := range snaps {
		if s.Unit == nil {
			continue
		}
		for _, pid := range unitPIDs(&s) {
			out = append(out, unitProcess{"/" + s.Unit.Name, uint32(pid), cmdline(pid)})
		}
	}
	return []any{out}, nil
}

// unitPIDs returns the processes of s, sorted.
func unitPIDs(s *manager.Snapshot) []int {
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
			}
		}
	}
	sort.Ints(pids)
	return pids
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
