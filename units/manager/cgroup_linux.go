package manager

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// cgroups is the manager's cgroup v2 subtree, where each unit gets a
// group of its own that every process of the unit starts in and cannot
// leave by forking or setsid. The manager creates it under its own cgroup
// when the system lets it; otherwise it is nil and KillMode=control-group
// falls back to the process group plus /proc (see members).
type cgroups struct {
	dir string // the manager's subtree; unit groups are its children
}

// openCgroups creates the manager's subtree, or says why there is none.
func openCgroups() (*cgroups, error) {
	mount := cgroup2Mount()
	own := ownCgroup()
	if mount == "" || own == "" {
		return nil, errors.New("no cgroup v2 hierarchy is mounted")
	}
	parent := filepath.Join(mount, own)
	removeStale(parent)
	var b [4]byte
	rand.Read(b[:])
	dir := filepath.Join(parent, "svunit-"+strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(b[:]))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	return &cgroups{dir: dir}, nil
}

// removeStale deletes the empty subtrees of managers that are gone (their
// pid is in the name). Groups that still hold processes (a unit with
// KillMode=process leaves its processes running) stay.
func removeStale(parent string) {
	old, _ := filepath.Glob(filepath.Join(parent, "svunit-*-*"))
	for _, dir := range old {
		pid, err := strconv.Atoi(strings.Split(filepath.Base(dir), "-")[1])
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		units, _ := os.ReadDir(dir)
		for _, u := range units {
			if u.IsDir() {
				os.Remove(filepath.Join(dir, u.Name()))
			}
		}
		os.Remove(dir)
	}
}

// cgroup2Mount finds where the cgroup v2 hierarchy is mounted.
func cgroup2Mount() string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if fs := strings.Fields(post); ok && len(fs) > 0 && fs[0] == "cgroup2" {
			if f := strings.Fields(pre); len(f) >= 5 {
				return f[4]
			}
		}
	}
	return ""
}

// ownCgroup is the manager's own group in the v2 hierarchy ("0::/path").
func ownCgroup() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p
		}
	}
	return ""
}

// unitDir returns the group of the unit called name, creating it.
func (c *cgroups) unitDir(name string) (string, error) {
	if c == nil {
		return "", nil
	}
	dir := filepath.Join(c.dir, strings.ReplaceAll(name, "/", "_"))
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return "", err
	}
	return dir, nil
}

// removeUnit deletes a unit's group once it is empty.
func (c *cgroups) removeUnit(name string) {
	if c != nil {
		os.Remove(filepath.Join(c.dir, strings.ReplaceAll(name, "/", "_")))
	}
}

// close deletes the subtree; unit groups must be empty and removed.
func (c *cgroups) close() {
	if c != nil {
		os.Remove(c.dir)
	}
}

// cgroupProcs lists the processes in a unit's group.
func cgroupProcs(dir string) []int {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range bytes.Fields(b) {
		if pid, err := strconv.Atoi(string(f)); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// forkIntoCgroup forks sp's child straight into its unit's group (clone3
// with CLONE_INTO_CGROUP), so not one instruction of it runs elsewhere.
func (sp *spawnSpec) forkIntoCgroup() (int, error) {
	fd, err := syscall.Open(sp.cgroup, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("cgroup %s: %v", sp.cgroup, err)
	}
	defer syscall.Close(fd)
	sp.attr.Sys.UseCgroupFD, sp.attr.Sys.CgroupFD = true, fd
	pid, err := syscall.ForkExec(sp.path, sp.argv, &sp.attr)
	if err == syscall.ENOSYS || err == syscall.EOPNOTSUPP {
		// A kernel without clone3: the process group and /proc stand in.
		sp.cgroup, sp.attr.Sys.UseCgroupFD = "", false
		return syscall.ForkExec(sp.path, sp.argv, &sp.attr)
	}
	return pid, err
}
