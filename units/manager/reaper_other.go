//go:build !linux

package manager

import "syscall"

// becomeSubreaper does nothing where the OS has no child subreaper: orphans
// go to init, and KillMode=control-group reaches the process group only.
func becomeSubreaper() {}

// reapAll reaps every exited child with wait4(-1). Unlike on Linux it cannot
// look before it reaps, so a program that embeds the manager must not wait
// for children of its own.
func (r *reaper) reapAll() {
	r.spawnMu.Lock() // no pid can be routed before its spawner registered it
	defer r.spawnMu.Unlock()
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		r.route(pid, ws)
	}
}
