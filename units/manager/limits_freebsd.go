package manager

import (
	"syscall"

	"svunit.dev/svunit/units"
)

// rlimit is one resource limit; FreeBSD's setrlimit takes signed values.
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
	return syscall.Setrlimit(r.resource, &syscall.Rlimit{Cur: int64(r.cur), Max: int64(r.max)})
}
