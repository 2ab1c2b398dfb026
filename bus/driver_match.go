package bus

import (
	"os"
	"slices"
	"strings"
)

// addMatch adds a rule to c's subscriptions.
func (s *Server) addMatch(c *conn, a *argReader) (driverReply, *driverError) {
	text := a.str()
	r, err := parseMatchRule(text)
	if err != nil {
		return driverReply{}, errorf(errMatchInvalid, "Invalid match rule %q: %v", text, err)
	}
	if r.eavesdrop {
		if err := s.policy.CanEavesdrop(c.fullCred(), text); err != nil {
			return driverReply{}, errorf(errAccessDenied, "%v", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(c.rules) >= s.limits.MaxMatchRules {
		return driverReply{}, errorf(errLimitsExceeded, "Connection %s has %d match rules, the limit", c.name, len(c.rules))
	}
	c.rules = append(c.rules, r)
	s.matchers[c] = true
	if r.eavesdrop {
		s.nwatch.Add(1)
	}
	return driverReply{}, nil
}

// removeMatch removes one rule equal to the given one.
func (s *Server) removeMatch(c *conn, a *argReader) (driverReply, *driverError) {
	text := a.str()
	r, err := parseMatchRule(text)
	if err != nil {
		return driverReply{}, errorf(errMatchInvalid, "Invalid match rule %q: %v", text, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(c.rules, r.equal)
	if i < 0 {
		return driverReply{}, errorf(errMatchNotFound, "The given match rule wasn't found and can't be removed")
	}
	if c.rules[i].eavesdrop {
		s.nwatch.Add(-1)
	}
	c.rules = slices.Delete(c.rules, i, i+1)
	if len(c.rules) == 0 {
		delete(s.matchers, c)
	}
	return driverReply{}, nil
}

// becomeMonitor turns c into a monitor (org.freedesktop.DBus.Monitoring):
// it gives up its names and rules, receives a copy of every message that
// matches the rules it passes (all messages for none), and may no longer send.
func (s *Server) becomeMonitor(c *conn, a *argReader) (driverReply, *driverError) {
	texts, flags := a.strs(), a.u32()
	if flags != 0 {
		return driverReply{}, errorf(errInvalidArgs, "BecomeMonitor flags must be 0, not %d", flags)
	}
	var rules []*matchRule
	for _, t := range texts {
		r, err := parseMatchRule(t)
		if err != nil {
			return driverReply{}, errorf(errMatchInvalid, "Invalid match rule %q: %v", t, err)
		}
		rules = append(rules, r)
	}
	if len(rules) > s.limits.MaxMatchRules {
		return driverReply{}, errorf(errLimitsExceeded, "%d match rules exceed the limit of %d", len(rules), s.limits.MaxMatchRules)
	}
	if err := s.policy.CanEavesdrop(c.fullCred(), strings.Join(texts, ";")); err != nil {
		return driverReply{}, errorf(errAccessDenied, "%v", err)
	}
	s.mu.Lock()
	s.releaseAll(c, true)
	s.dropRules(c)
	c.rules, c.monitor = rules, true
	s.matchers[c] = true
	s.nwatch.Add(1)
	s.mu.Unlock()
	return driverReply{after: func() { // the reply comes first, as from dbus-daemon
		s.mu.Lock()
		s.nameSignal(c, "NameLost", c.name)
		s.ownerChanged(c.name, c.name, "")
		s.mu.Unlock()
	}}, nil
}

// dropRules removes all of c's rules. s.mu must be held for writing.
func (s *Server) dropRules(c *conn) {
	for _, r := range c.rules {
		if r.eavesdrop {
			s.nwatch.Add(-1)
		}
	}
	if c.monitor {
		s.nwatch.Add(-1)
	}
	c.rules = nil
	delete(s.matchers, c)
}

// forget removes c from the server when it disconnects: its names pass to
// the next in line, its rules go, and the others hear that it left.
func (s *Server) forget(c *conn) {
	s.imu.Lock()
	delete(s.all, c)
	if c.incomplete != nil {
		s.incomplete.Remove(c.incomplete)
		c.incomplete = nil
	}
	waiters := s.fdWaiters
	s.fdWaiters = nil
	s.imu.Unlock()
	for _, w := range waiters {
		close(w)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.counted {
		if s.perUID[c.cred.UID]--; s.perUID[c.cred.UID] == 0 {
			delete(s.perUID, c.cred.UID)
			delete(s.budgets, c.cred.UID) // a new budget starts from zero
		}
		c.counted = false
	}
	if c.name == "" {
		return
	}
	s.releaseAll(c, false)
	wasMonitor := c.monitor
	s.dropRules(c)
	delete(s.conns, c.name)
	if !wasMonitor {
		s.ownerChanged(c.name, c.name, "")
	}
}

// selfCred is the bus process's own credentials.
func (s *Server) selfCred() Cred {
	return Cred{UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), PID: int32(os.Getpid())}
}

// machineID returns the host's D-Bus machine id, or one derived from the
// bus's GUID where the host has none.
func machineID(fallback string) string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil {
			if id := strings.TrimSpace(string(b)); len(id) == 32 {
				return id
			}
		}
	}
	return fallback
}
