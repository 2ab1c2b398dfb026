package manager

import (
	"golang.org/x/sys/unix"

	"svunit.dev/svunit/units"
)

// rlimit is one resource limit in the form setrlimit takes on this system.
type rlimit struct {
	resource int
	cur, max uint64
}

func toRlimits(ls []units.Rlimit) []rlimit {
	out := make([]rlimit, len(ls))
	for i, l := range ls {
		out[i] = rlimit{l.Resource, l.Cur, l.Max}
	}
	return out
}

func getrlimit(resource int) (rlimit, error) {
	var r unix.Rlimit
	err := unix.Prlimit(0, resource, nil, &r)
	return rlimit{resource, r.Cur, r.Max}, err
}

// setrlimit uses prlimit(2) directly: syscall.Setrlimit would also tell Go
// to stop restoring the original NOFILE soft limit in every later child.
func setrlimit(r rlimit) error {
	return unix.Prlimit(0, r.resource, &unix.Rlimit{Cur: r.cur, Max: r.max}, nil)
}
