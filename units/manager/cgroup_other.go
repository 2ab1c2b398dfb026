//go:build !linux

package manager

import (
	"errors"
	"syscall"
)

// cgroups is absent outside Linux: KillMode=control-group reaches the
// process group.
type cgroups struct{}

func openCgroups() (*cgroups, error)                   { return nil, errors.New("cgroups are Linux only") }
func (c *cgroups) unitDir(name string) (string, error) { return "", nil }
func (c *cgroups) removeUnit(name string)              {}
func (c *cgroups) close()                              {}

// forkIntoCgroup is never called: without cgroups no spec names one.
func (sp *spawnSpec) forkIntoCgroup() (int, error) {
	return syscall.ForkExec(sp.path, sp.argv, &sp.attr)
}
