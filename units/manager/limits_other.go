//go:build darwin || openbsd || netbsd

package manager

import (
	"syscall"

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
	var r syscall.Rlimit
	err := syscall.Getrlimit(resource, &r)
	return rlimit{resource, uint64(r.Cur), uint64(r.Max)}, err
}

func setrlimit(r rlimit) error {
	return syscall.Setrlimit(r.resource, &syscall.Rlimit{Cur: r.cur, Max: r.max})
}
