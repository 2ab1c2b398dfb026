package manager

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// CgroupPath returns the unit's control group as systemd names it: the
// path of ControlGroup below the root of the cgroup hierarchy, such as
// "/svunit-4120-1a2b3c4d/web.unit", or "" when the unit runs in none.
func (s *Snapshot) CgroupPath() string {
	if s.ControlGroup == "" {
		return ""
	}
	parent := filepath.Dir(s.ControlGroup) // the manager's subtree, shared by its units
	root, ok := cgroupRoots.Load(parent)
	if !ok {
		root, _ = cgroupRoots.LoadOrStore(parent, hierarchyRoot(parent))
	}
	rel := strings.TrimPrefix(s.ControlGroup, root.(string))
	if !strings.HasPrefix(rel, "/") {
		rel = "/" + rel
	}
	return rel
}

// cgroupRoots caches hierarchyRoot by the directory it was asked for.
var cgroupRoots sync.Map

// hierarchyRoot returns the directory the cgroup hierarchy holding dir is
// mounted on: the topmost of dir and its parents that is a cgroup (has a
// cgroup.procs file).
func hierarchyRoot(dir string) string {
	for {
		up := filepath.Dir(dir)
		if up == dir {
			return dir
		}
		if _, err := os.Stat(filepath.Join(up, "cgroup.procs")); err != nil {
			return dir
		}
		dir = up
	}
}
