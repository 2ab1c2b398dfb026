package manager

// rlimValue is the type of syscall.Rlimit's fields: signed on FreeBSD.
type rlimValue = int64
