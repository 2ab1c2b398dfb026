package bus

import (
	"slices"
	"strings"
)

// A driverMethod is one method of the bus driver (org.freedesktop.DBus and
// the standard interfaces it implements). in is the exact argument
// signature; call returns the reply, or an error reply.
type driverMethod struct {
	in   string
	call func(s *Server, c *conn, a *argReader) (driverReply, *driverError)
}

// A driverReply is a method return's signature and body, and what to send
// after it (Hello's NameAcquired must follow the reply).
type driverReply struct {
	sig   string
	body  []byte
	after func()
}

// driverInterfaces lists the driver's interfaces in the order a call
// without INTERFACE is resolved.
var driverInterfaces = []string{
	busName, "org.freedesktop.DBus.Peer", "org.freedesktop.DBus.Introspectable",
	"org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Monitoring",
}

// A methodKey names a driver method by interface and member.
type methodKey struct{ iface, member string }

// driverMethods maps each driver method to its implementation; filled in
// init because the methods refer to the table (Introspect).
var driverMethods map[methodKey]driverMethod

func init() {
	driverMethods = map[methodKey]driverMethod{
		{busName, "Hello"}:                                    {"", (*Server).hello},
		{busName, "RequestName"}:                              {"su", (*Server).driverRequestName},
		{busName, "ReleaseName"}:                              {"s", (*Server).driverReleaseName},
		{busName, "GetNameOwner"}:                             {"s", (*Server).getNameOwner},
		{busName, "NameHasOwner"}:                             {"s", (*Server).nameHasOwner},
		{busName, "ListNames"}:                                {"", (*Server).listNames},
		{busName, "ListActivatableNames"}:                     {"", (*Server).listActivatableNames},
		{busName, "ListQueuedOwners"}:                         {"s", (*Server).listQueuedOwners},
		{busName, "AddMatch"}:                                 {"s", (*Server).addMatch},
		{busName, "RemoveMatch"}:                              {"s", (*Server).removeMatch},
		{busName, "GetConnectionUnixUser"}:                    {"s", (*Server).getConnectionUnixUser},
		{busName, "GetConnectionUnixProcessID"}:               {"s", (*Server).getConnectionUnixProcessID},
		{busName, "GetConnectionCredentials"}:                 {"s", (*Server).getConnectionCredentials},
		{busName, "GetAdtAuditSessionData"}:                   {"s", unknownCredential(errAuditUnknown, "audit session data")},
		{busName, "GetConnectionSELinuxSecurityContext"}:      {"s", unknownCredential(errSELinuxUnknown, "SELinux security context")},
		{busName, "GetId"}:                                    {"", (*Server).getID},
		{busName, "StartServiceByName"}:                       {"su", (*Server).startServiceByName},
		{busName, "UpdateActivationEnvironment"}:              {"a{ss}", (*Server).updateActivationEnvironment},
		{busName, "ReloadConfig"}:                             {"", (*Server).reloadConfig},
		{"org.freedesktop.DBus.Peer", "Ping"}:                 {"", (*Server).ping},
		{"org.freedesktop.DBus.Peer", "GetMachineId"}:         {"", (*Server).getMachineID},
		{"org.freedesktop.DBus.Introspectable", "Introspect"}: {"", (*Server).introspect},
		{"org.freedesktop.DBus.Properties", "Get"}:            {"ss", (*Server).propGet},
		{"org.freedesktop.DBus.Properties", "GetAll"}:         {"s", (*Server).propGetAll},
		{"org.freedesktop.DBus.Properties", "Set"}:            {"ssv", (*Server).propSet},
		{"org.freedesktop.DBus.Monitoring", "BecomeMonitor"}:  {"asu", (*Server).becomeMonitor},
	}
}

// driverCall runs a method call addressed to the bus and replies to it.
func (s *Server) driverCall(c *conn, m *routed) error {
	h := m.h
	meth, ok := lookupDriverMethod(h.iface, h.member)
	if !ok {
		s.replyError(c, h, errUnknownMethod, "Unknown method '"+h.member+"' or interface '"+h.iface+"'")
		return nil
	}
	if h.sig != meth.in {
		s.replyError(c, h, errInvalidArgs, "Call to "+h.member+" has wrong args ("+h.sig+", expected "+meth.in+")")
		return nil
	}
	a := &argReader{w: walker{b: m.msg, pos: m.body, end: len(m.msg), order: h.order}}
	reply, err := meth.call(s, c, a)
	if err != nil {
		s.replyError(c, h, err.name, err.text)
		return nil
	}
	if h.wantsReply() {
		s.fromBus(c, &header{typ: typeMethodReply, replySerial: h.serial, sig: reply.sig}, reply.body)
	}
	if reply.after != nil {
		reply.after()
	}
	return nil
}

func lookupDriverMethod(iface, member string) (driverMethod, bool) {
	if iface != "" {
		m, ok := driverMethods[methodKey{iface, member}]
		return m, ok
	}
	for _, i := range driverInterfaces {
		if m, ok := driverMethods[methodKey{i, member}]; ok {
			return m, true
		}
	}
	return driverMethod{}, false
}

// argReader reads a driver call's arguments; their signature has been
// checked, and the body validated, so reads cannot fail.
type argReader struct{ w walker }

func (a *argReader) str() string {
	s, _ := a.w.str()
	return strings.Clone(s)
}

func (a *argReader) u32() uint32 {
	a.w.align(4)
	v, _ := a.w.u32()
	return v
}

func (a *argReader) strs() []string {
	n := a.u32()
	end := a.w.pos + int(n)
	var out []string
	for a.w.pos < end {
		out = append(out, a.str())
	}
	return out
}

// replyOf builds a reply with a body from an encoder.
func replyOf(sig string, fill func(e *encoder)) driverReply {
	e := encoder{order: littleEndian}
	fill(&e)
	return driverReply{sig: sig, body: e.buf}
}

func strReply(v string) driverReply    { return replyOf("s", func(e *encoder) { e.str(v) }) }
func u32Reply(v uint32) driverReply    { return replyOf("u", func(e *encoder) { e.u32(v) }) }
func strsReply(v []string) driverReply { return replyOf("as", func(e *encoder) { e.strs(v) }) }

func boolReply(v bool) driverReply {
	return replyOf("b", func(e *encoder) {
		if v {
			e.u32(1)
		} else {
			e.u32(0)
		}
	})
}

// hello registers c under a new unique name; it must be c's first message.
func (s *Server) hello(c *conn, _ *argReader) (driverReply, *driverError) {
	if c.name != "" {
		return driverReply{}, errorf(errFailed, "Already handled an Hello message")
	}
	s.mu.Lock()
	c.id = s.nextID.Add(1)
	c.name = uniqueName(c.id)
	s.conns[c.name] = c
	s.ownerChanged(c.name, "", c.name)
	s.mu.Unlock()
	r := strReply(c.name)
	r.after = func() {
		s.mu.RLock()
		s.nameSignal(c, "NameAcquired", c.name)
		s.mu.RUnlock()
	}
	return r, nil
}

func (s *Server) driverRequestName(c *conn, a *argReader) (driverReply, *driverError) {
	name, flags := a.str(), a.u32()
	v, err := s.requestName(c, name, flags)
	return u32Reply(v), err
}

func (s *Server) driverReleaseName(c *conn, a *argReader) (driverReply, *driverError) {
	v, err := s.releaseName(c, a.str())
	return u32Reply(v), err
}

// peer resolves a name argument to its connection, or the error naming what
// was asked (what) about it.
func (s *Server) peer(name, what string) (*conn, *driverError) {
	s.mu.RLock()
	c := s.lookup(name)
	s.mu.RUnlock()
	if c == nil || c.monitorSnapshot(s) {
		return nil, errorf(errNameHasNoOwner, "Could not get %s of name '%s': no such name", what, name)
	}
	return c, nil
}

// monitorSnapshot reads c.monitor under s.mu.
func (c *conn) monitorSnapshot(s *Server) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return c.monitor
}

func (s *Server) getNameOwner(_ *conn, a *argReader) (driverReply, *driverError) {
	name := a.str()
	if name == busName {
		return strReply(busName), nil
	}
	c, err := s.peer(name, "owner")
	if err != nil {
		return driverReply{}, err
	}
	return strReply(c.name), nil
}

func (s *Server) nameHasOwner(_ *conn, a *argReader) (driverReply, *driverError) {
	name := a.str()
	_, err := s.peer(name, "owner")
	return boolReply(name == busName || err == nil), nil
}

func (s *Server) listNames(*conn, *argReader) (driverReply, *driverError) {
	s.mu.RLock()
	names := []string{busName}
	for name, c := range s.conns {
		if !c.monitor {
			names = append(names, name)
		}
	}
	for name := range s.names {
		names = append(names, name)
	}
	s.mu.RUnlock()
	slices.Sort(names[1:])
	return strsReply(names), nil
}

func (s *Server) listActivatableNames(*conn, *argReader) (driverReply, *driverError) {
	return strsReply([]string{busName}), nil
}

func (s *Server) listQueuedOwners(_ *conn, a *argReader) (driverReply, *driverError) {
	name := a.str()
	if name == busName {
		return strsReply([]string{busName}), nil
	}
	s.mu.RLock()
	var owners []string
	if o := s.names[name]; o != nil {
		for _, cl := range o.queue {
			owners = append(owners, cl.c.name)
		}
	} else if c := s.conns[name]; c != nil && !c.monitor {
		owners = []string{name}
	}
	s.mu.RUnlock()
	if owners == nil {
		return driverReply{}, errorf(errNameHasNoOwner, "Could not get owners of name '%s': no such name", name)
	}
	return strsReply(owners), nil
}

func (s *Server) getConnectionUnixUser(_ *conn, a *argReader) (driverReply, *driverError) {
	p, err := s.peerOrBus(a.str(), "UID")
	if err != nil {
		return driverReply{}, err
	}
	return u32Reply(p.UID), nil
}

func (s *Server) getConnectionUnixProcessID(_ *conn, a *argReader) (driverReply, *driverError) {
	name := a.str()
	p, err := s.peerOrBus(name, "PID")
	if err != nil {
		return driverReply{}, err
	}
	if p.PID <= 0 {
		return driverReply{}, errorf(errPIDUnknown, "Could not determine PID for '%s'", name)
	}
	return u32Reply(uint32(p.PID)), nil
}

func (s *Server) getConnectionCredentials(_ *conn, a *argReader) (driverReply, *driverError) {
	p, err := s.peerOrBus(a.str(), "credentials")
	if err != nil {
		return driverReply{}, err
	}
	return replyOf("a{sv}", func(e *encoder) {
		e.array(8, func() {
			e.entry("UnixUserID", "u", func() { e.u32(p.UID) })
			e.entry("UnixGroupIDs", "au", func() {
				e.array(4, func() {
					for _, g := range p.Groups {
						e.u32(g)
					}
				})
			})
			if p.PID > 0 {
				e.entry("ProcessID", "u", func() { e.u32(uint32(p.PID)) })
			}
		})
	}), nil
}

// peerOrBus returns the credentials of a connection, or of the bus process
// itself for org.freedesktop.DBus.
func (s *Server) peerOrBus(name, what string) (Cred, *driverError) {
	if name == busName {
		return s.selfCred(), nil
	}
	c, err := s.peer(name, what)
	if err != nil {
		return Cred{}, err
	}
	return c.fullCred(), nil
}

func unknownCredential(errName, what string) func(*Server, *conn, *argReader) (driverReply, *driverError) {
	return func(s *Server, _ *conn, a *argReader) (driverReply, *driverError) {
		name := a.str()
		if _, err := s.peer(name, what); err != nil {
			return driverReply{}, err
		}
		return driverReply{}, errorf(errName, "Could not determine %s for '%s'", what, name)
	}
}

func (s *Server) getID(*conn, *argReader) (driverReply, *driverError) {
	return strReply(s.guid), nil
}

// startServiceByName succeeds only for a name that already has an owner:
// this bus does not activate services.
func (s *Server) startServiceByName(_ *conn, a *argReader) (driverReply, *driverError) {
	name := a.str()
	if _, err := s.peer(name, "owner"); err == nil || name == busName {
		return u32Reply(2), nil // DBUS_START_REPLY_ALREADY_RUNNING
	}
	return driverReply{}, errorf(errServiceUnknown, "The name %s was not provided by any .service files", name)
}

func (s *Server) updateActivationEnvironment(*conn, *argReader) (driverReply, *driverError) {
	return driverReply{}, errorf(errNotSupported, "This bus does not activate services, so it keeps no activation environment")
}

func (s *Server) reloadConfig(*conn, *argReader) (driverReply, *driverError) {
	return driverReply{}, nil
}

func (s *Server) ping(*conn, *argReader) (driverReply, *driverError) { return driverReply{}, nil }

func (s *Server) getMachineID(*conn, *argReader) (driverReply, *driverError) {
	return strReply(machineID(s.guid)), nil
}
