package manager

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCgroupPath lays out a cgroup hierarchy's files under a temporary
// mount point and checks that a unit's group is named from its root.
func TestCgroupPath(t *testing.T) {
	mount := filepath.Join(t.TempDir(), "cgroup")
	unit := filepath.Join(mount, "user.slice", "svunit-7-ab", "web.unit")
	for d := unit; d != filepath.Dir(mount); d = filepath.Dir(d) {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ dir, want string }{
		{unit, "/user.slice/svunit-7-ab/web.unit"},
		{filepath.Join(filepath.Dir(unit), "db.unit"), "/user.slice/svunit-7-ab/db.unit"},
		{"", ""},
	} {
		s := Snapshot{ControlGroup: tc.dir}
		if got := s.CgroupPath(); got != tc.want {
			t.Errorf("CgroupPath of %q = %q, want %q", tc.dir, got, tc.want)
		}
	}
}
