//go:build !linux && !freebsd

package manager

// rlimValue is the type of syscall.Rlimit's fields.
type rlimValue = uint64
