package manager

import (
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// monotonic returns CLOCK_MONOTONIC, the clock of systemd's *Monotonic
// timestamps.
func monotonic() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(clockMonotonic, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func signalName(sig syscall.Signal) string { return unix.SignalName(sig) }

func itoa(n int) string { return strconv.Itoa(n) }
