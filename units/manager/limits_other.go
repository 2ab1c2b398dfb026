//go:build !linux

package manager

import "syscall"

func getrlimit(resource int) (rlimit, error) {
	var r syscall.Rlimit
	err := syscall.Getrlimit(resource, &r)
	return rlimit{resource, uint64(r.Cur), uint64(r.Max)}, err
}

func setrlimit(r rlimit) error {
	return syscall.Setrlimit(r.resource, &syscall.Rlimit{Cur: rlimValue(r.cur), Max: rlimValue(r.max)})
}
