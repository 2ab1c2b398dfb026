//go:build !netbsd

package manager

import "golang.org/x/sys/unix"

const clockMonotonic = unix.CLOCK_MONOTONIC
