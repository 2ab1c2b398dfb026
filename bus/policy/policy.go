package policy

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/bus"
)

// DefaultFile is where the root manager's access rules live.
const DefaultFile = "/etc/svunit/access.conf"

// Names callers other than root and the manager's uid may call: the names
// the manager serves its API under (see bus/api).
var managerNames = []string{"org.freedesktop.systemd1", "io.svunit1"}

// Config configures a Policy.
type Config struct {
	// OwnerUID is the manager's uid; it and root may do everything.
	OwnerUID uint32
	// File is the manager-level rules file; "" means none. A missing file
	// means no rules, so that a fresh install needs none.
	File string
	// Logf receives one line per state change and per refusal; nil
	// discards them.
	Logf func(format string, args ...any)
	// RootOnly refuses a rules file that anyone but root could change (see
	// CheckTrusted), at every read: set it for a manager running as root.
	RootOnly bool
}

// A Policy is the access policy of one manager. It implements bus.Policy
// for the bus and Check for the API's methods.
type Policy struct {
	owner    uint32
	path     string
	rootOnly bool
	logf     func(format string, args ...any)

	rules atomic.Pointer[Rules]      // access.conf as last loaded; swapped by Reload
	seen  atomic.Pointer[fileStamp]  // the file's stamp when last read, even if it was bad
	srv   atomic.Pointer[bus.Server] // set once by Attach, for CheckSender

	reloadMu sync.Mutex // serialises re-reading the file in current

	mu     sync.RWMutex    // guards served
	served map[string]bool // unique names of the manager's own connections
}

// New returns the policy of cfg, with cfg.File loaded. A bad file is an
// error naming its line.
func New(cfg Config) (*Policy, error) {
	p := &Policy{owner: cfg.OwnerUID, path: cfg.File, rootOnly: cfg.RootOnly, logf: cfg.Logf, served: map[string]bool{}}
	if p.logf == nil {
		p.logf = func(string, ...any) {}
	}
	if err := p.Reload(); err != nil {
		return nil, err
	}
	return p, nil
}

// Reload re-reads the rules file. On error the old rules stay in force.
func (p *Policy) Reload() error {
	r := &Rules{}
	stamp := stampOf(p.path)
	p.seen.Store(&stamp)
	if p.path != "" && p.rootOnly {
		if err := CheckTrusted(p.path); err != nil {
			return fmt.Errorf("access rules: %v", err)
		}
	}
	if p.path != "" {
		var err error
		if r, err = LoadFile(p.path); err != nil {
			return err
		}
	}
	p.rules.Store(r)
	return nil
}

// A fileStamp tells whether a file changed since it was read.
type fileStamp struct {
	mod  time.Time
	size int64
	ok   bool // the file existed
}

func stampOf(file string) fileStamp {
	fi, err := os.Stat(file)
	if file == "" || err != nil {
		return fileStamp{}
	}
	return fileStamp{fi.ModTime(), fi.Size(), true}
}

// current returns the rules, re-reading the file first when it changed, so
// that an edit takes effect without a signal. A bad edit is logged once and
// the old rules stay.
func (p *Policy) current() *Rules {
	if p.path != "" {
		now := stampOf(p.path)
		if old := p.seen.Load(); old == nil || *old != now {
			p.reloadMu.Lock()
			if old := p.seen.Load(); old == nil || *old != now {
				if err := p.Reload(); err != nil {
					p.logf("access: %v (the previous rules stay in force)", err)
				}
			}
			p.reloadMu.Unlock()
		}
	}
	return p.rules.Load()
}

// Attach gives the policy the bus whose callers CheckSender looks up.
func (p *Policy) Attach(s *bus.Server) { p.srv.Store(s) }

// Serve marks names (the unique name of the manager's own connection, as
// godbus's Conn.Names returns it) as the manager, which anyone may call.
func (p *Policy) Serve(names ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range names {
		p.served[n] = true
	}
}

// refuse logs a refusal and returns it as an error.
func (p *Policy) refuse(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	p.logf("access: %v", err)
	return err
}

// privileged reports whether c may do everything.
func (p *Policy) privileged(c bus.Cred) bool { return c.UID == 0 || c.UID == p.owner }

// onlyPrivileged is the text of the default rule, for refusals.
func (p *Policy) onlyPrivileged() string {
	if p.owner == 0 {
		return "only root may"
	}
	return fmt.Sprintf("only root and the manager's uid %d may", p.owner)
}

// CanOwn lets only root and the manager's uid own names, so nobody else can
// pose as the manager.
func (p *Policy) CanOwn(c bus.Cred, name string) error {
	if p.privileged(c) {
		return nil
	}
	return p.refuse("%s may not own the name %s on this bus: %s own names", who(c), name, p.onlyPrivileged())
}

// CanEavesdrop lets only root and the manager's uid see messages meant for
// others.
func (p *Policy) CanEavesdrop(c bus.Cred, rule string) error {
	if p.privileged(c) {
		return nil
	}
	return p.refuse("%s may not eavesdrop on this bus (match rule %q): %s watch messages meant for others", who(c), rule, p.onlyPrivileged())
}

// CanSend lets root and the manager's uid send anything; others may only
// call the manager (which then checks each method with Check). Signals and
// calls to other clients are refused: a client's methods trust that their
// caller is who the bus says, and nobody else's clients offer svunit's.
func (p *Policy) CanSend(c bus.Cred, m *dbus.Message) error {
	if p.privileged(c) {
		return nil
	}
	iface, _ := m.Headers[dbus.FieldInterface].Value().(string)
	member, _ := m.Headers[dbus.FieldMember].Value().(string)
	if m.Type == dbus.TypeSignal {
		return p.refuse("%s may not send the signal %s.%s on this bus: %s send signals", who(c), iface, member, p.onlyPrivileged())
	}
	dest, _ := m.Headers[dbus.FieldDestination].Value().(string)
	if p.isManager(dest) {
		return nil
	}
	if dest == "" {
		dest = "no destination"
	}
	return p.refuse("%s may not call %s.%s on %s: only the manager (%s) may be called by uids other than root's and the manager's",
		who(c), iface, member, dest, managerNames[0])
}

// isManager reports whether dest names the manager.
func (p *Policy) isManager(dest string) bool {
	for _, n := range managerNames {
		if dest == n {
			return true
		}
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.served[dest]
}

// who names a caller in messages and log lines.
func who(c bus.Cred) string {
	if n := userName(c.UID); n != "" {
		return fmt.Sprintf("uid %d (%s, pid %d)", c.UID, n, c.PID)
	}
	return fmt.Sprintf("uid %d (pid %d)", c.UID, c.PID)
}
