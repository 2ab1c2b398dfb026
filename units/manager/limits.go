package manager

import (
	"fmt"
	"syscall"

	"svunit.dev/svunit/units"
)

// Go's fork cannot set a umask or rlimits in the child, so a unit that has
// UMask= or Limit*= is forked while the manager itself carries them: under
// the reaper's exclusive spawn lock (no other unit forks meanwhile) the
// manager sets its own umask and limits, forks, and puts its own back.
// The child then switches credentials with the limits already in place,
// as systemd does. While the lock is held, files the manager creates get
// the unit's umask; the window is one fork long.

// rlimit is one resource limit, as the unit file gives it.
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

// needsOwnContext reports whether sp must be forked with the manager's
// umask or rlimits changed.
func (sp *spawnSpec) needsOwnContext() bool {
	return len(sp.rlims) > 0 || sp.umask != nil && *sp.umask != managerUmask
}

// managerUmask is the manager's umask, read once at start-up.
var managerUmask = func() uint32 {
	old := syscall.Umask(0o022)
	syscall.Umask(old)
	return uint32(old)
}()

// forkInContext forks sp with its umask and rlimits applied to the
// manager for the duration of the fork. The caller holds the reaper's
// exclusive spawn lock.
func (sp *spawnSpec) forkInContext() (int, error) {
	restore, err := applyLimits(sp.rlims)
	if err != nil {
		return 0, err
	}
	defer restore()
	if sp.umask != nil {
		old := syscall.Umask(int(*sp.umask))
		defer syscall.Umask(old)
	}
	return sp.fork()
}

// applyLimits sets each rlimit on the manager and returns how to put the
// old values back. A hard limit lower than the manager's own is applied
// as a soft limit only when the manager could not raise its own hard limit
// again (no CAP_SYS_RESOURCE).
func applyLimits(rls []rlimit) (restore func(), err error) {
	var undo []func()
	restore = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	for _, rl := range rls {
		old, err := getrlimit(rl.resource)
		if err != nil {
			restore()
			return nil, err
		}
		want := rl
		if want.max < old.max && !canRaiseHardLimits() {
			want.max = old.max
		}
		if want.cur > want.max {
			want.cur = want.max
		}
		if err := setrlimit(want); err != nil {
			restore()
			return nil, fmt.Errorf("%s=%d:%d: %v", rl.name(), rl.cur, rl.max, err)
		}
		undo = append(undo, func() { _ = setrlimit(old) })
	}
	return restore, nil
}

// name returns the directive of r's resource, for error messages.
func (r rlimit) name() string {
	switch r.resource {
	case syscall.RLIMIT_NOFILE:
		return "LimitNOFILE"
	case syscall.RLIMIT_CORE:
		return "LimitCORE"
	case syscall.RLIMIT_CPU:
		return "LimitCPU"
	case syscall.RLIMIT_DATA:
		return "LimitDATA"
	case syscall.RLIMIT_FSIZE:
		return "LimitFSIZE"
	case syscall.RLIMIT_STACK:
		return "LimitSTACK"
	}
	return fmt.Sprintf("Limit (resource %d)", r.resource)
}
