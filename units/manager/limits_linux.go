package manager

import (
	"golang.org/x/sys/unix"
)

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
