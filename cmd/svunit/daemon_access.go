package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"svunit.dev/svunit/bus"
	"svunit.dev/svunit/bus/policy"
	"svunit.dev/svunit/units"
)

// The daemon's access flags; set by bindDaemonAccessFlags, read by
// daemonAccess in the daemon's goroutine.
var (
	daemonAccessFile string // --access
	daemonBusGroup   string // --bus-group
)

// bindDaemonAccessFlags adds the daemon's access flags to fs.
func bindDaemonAccessFlags(fs *pflag.FlagSet) {
	fs.StringVar(&daemonAccessFile, "access", "", "manager-level access rules (default $SVUNIT_ACCESS, else /etc/svunit/access.conf for root, none otherwise)")
	fs.StringVar(&daemonBusGroup, "bus-group", "", "only this group's members (and the socket's owner) may connect to the bus socket (mode 0660)")
}

// daemonAccess is what the daemon needs from bus/policy: the policy, the
// socket's mode and group, and the unit loader.
type daemonAccess struct {
	policy *policy.Policy
	mode   os.FileMode // the bus socket's mode
	gid    int         // the bus socket's group; -1 leaves it
	root   bool        // a root manager: its inputs must be root's alone
}

// newDaemonAccess loads the access rules for a manager with paths p. A root
// manager's socket is open to every local user (0666), or to one group with
// --bus-group, and each call is then checked by the policy; a user manager's
// socket is its owner's alone (0600).
func newDaemonAccess(p paths, logf func(string, ...any)) (*daemonAccess, error) {
	da := &daemonAccess{mode: 0o600, gid: -1, root: os.Geteuid() == 0}
	file := pick(daemonAccessFile, os.Getenv("SVUNIT_ACCESS"))
	if file == "" && da.root && p.System {
		file = policy.DefaultFile
	}
	pol, err := policy.New(policy.Config{OwnerUID: uint32(os.Geteuid()), File: file, Logf: logf, RootOnly: da.root})
	var el units.ErrorList
	if errors.As(err, &el) { // every bad line, not just the first
		return nil, fmt.Errorf("access rules:\n%s", strings.Join(errorLines(el), "\n"))
	}
	if err != nil {
		return nil, err
	}
	da.policy = pol
	if da.root {
		da.mode = 0o666
	}
	if daemonBusGroup != "" {
		g, err := user.LookupGroup(daemonBusGroup)
		if err != nil {
			return nil, usageErrorf("--bus-group %q: %v", daemonBusGroup, err)
		}
		da.gid, _ = strconv.Atoi(g.Gid)
		da.mode = 0o660
	}
	return da, nil
}

// busConfig fills the access parts of a bus configuration.
func (da *daemonAccess) busConfig(c bus.Config) bus.Config {
	c.Mode, c.Policy = da.mode, da.policy
	return c
}

// attach hands the policy the running bus and gives the socket its group.
func (da *daemonAccess) attach(srv *bus.Server, socket string) error {
	da.policy.Attach(srv)
	if da.gid >= 0 {
		if err := os.Chown(socket, -1, da.gid); err != nil {
			return fmt.Errorf("--bus-group: %v", err)
		}
	}
	return nil
}

// load is the manager's unit loader: a root manager refuses unit files
// and directories anyone but root could change.
func (da *daemonAccess) load() func(string) (*units.Set, error) {
	if da.root {
		return policy.LoadDir
	}
	return units.LoadDir
}

func errorLines(el units.ErrorList) []string {
	lines := make([]string, len(el))
	for i, e := range el {
		lines[i] = "  " + e.Error()
	}
	return lines
}
