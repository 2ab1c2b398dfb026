//go:build !linux

package manager

import "os"

// canRaiseHardLimits reports whether the manager may raise a hard rlimit:
// only root may.
func canRaiseHardLimits() bool { return os.Geteuid() == 0 }
