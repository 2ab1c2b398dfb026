package bus

import (
	"fmt"
	"slices"
)

// RequestName flags and replies, and ReleaseName replies (D-Bus
// specification, "Message Bus Messages").
const (
	nameAllowReplacement = 0x1
	nameReplaceExisting  = 0x2
	nameDoNotQueue       = 0x4

	requestPrimaryOwner = 1
	requestInQueue      = 2
	requestExists       = 3
	requestAlreadyOwner = 4

	releaseReleased    = 1
	releaseNonExistent = 2
	releaseNotOwner    = 3
)

// An owner is the queue of connections that want one well-known name; the
// first is the primary owner. Guarded by Server.mu.
type owner struct {
	queue []claim
}

type claim struct {
	c     *conn
	flags uint32
}

func (o *owner) primary() *conn { return o.queue[0].c }

func (o *owner) index(c *conn) int {
	return slices.IndexFunc(o.queue, func(cl claim) bool { return cl.c == c })
}

// A driverError is an error reply the driver sends: a D-Bus error name and
// its message.
type driverError struct{ name, text string }

func (e *driverError) Error() string { return e.name + ": " + e.text }

func errorf(name, format string, args ...any) *driverError {
	return &driverError{name, fmt.Sprintf(format, args...)}
}

// checkOwnable rejects names nobody may request or release.
func checkOwnable(name string) *driverError {
	switch {
	case !validBusName(name):
		return errorf(errInvalidArgs, "Requested bus name %q is not valid", name)
	case name[0] == ':':
		return errorf(errInvalidArgs, "Cannot acquire a service starting with ':' such as %q", name)
	case name == busName:
		return errorf(errInvalidArgs, "Connection is not allowed to own the service %q because it is reserved for D-Bus' use only", name)
	}
	return nil
}

// requestName implements RequestName for c with the specification's
// semantics for the three flags and the queue.
func (s *Server) requestName(c *conn, name string, flags uint32) (uint32, *driverError) {
	if err := checkOwnable(name); err != nil {
		return 0, err
	}
	if err := s.policy.CanOwn(c.fullCred(), name); err != nil {
		return 0, errorf(errAccessDenied, "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.names[name]
	if o != nil && o.primary() == c {
		o.queue[0].flags = flags
		return requestAlreadyOwner, nil
	}
	i := -1
	if o != nil {
		i = o.index(c)
	}
	if i < 0 && c.owned >= s.limits.MaxNamesPerConnection {
		return 0, errorf(errLimitsExceeded, "Connection %s owns or queues for %d names, the limit", c.name, c.owned)
	}
	switch {
	case o == nil:
		c.owned++
		s.names[name] = &owner{queue: []claim{{c, flags}}}
		s.ownerChanged(name, "", c.name)
		s.nameSignal(c, "NameAcquired", name)
		return requestPrimaryOwner, nil
	case flags&nameReplaceExisting != 0 && o.queue[0].flags&nameAllowReplacement != 0:
		s.replaceOwner(name, o, claim{c, flags}, i)
		return requestPrimaryOwner, nil
	case flags&nameDoNotQueue != 0:
		if i >= 0 {
			o.queue = slices.Delete(o.queue, i, i+1)
			c.owned--
		}
		return requestExists, nil
	case i >= 0:
		o.queue[i].flags = flags
	default:
		o.queue = append(o.queue, claim{c, flags})
		c.owned++
	}
	return requestInQueue, nil
}

// replaceOwner makes cl the primary owner of name; cl was at queue index i
// (or -1). The old owner waits next in line unless it asked not to queue.
// s.mu must be held for writing.
func (s *Server) replaceOwner(name string, o *owner, cl claim, i int) {
	if i < 0 {
		cl.c.owned++
	} else {
		o.queue = slices.Delete(o.queue, i, i+1)
	}
	old := o.queue[0]
	if old.flags&nameDoNotQueue != 0 {
		o.queue = o.queue[1:]
		old.c.owned--
	}
	o.queue = slices.Insert(o.queue, 0, cl)
	s.ownerChanged(name, old.c.name, cl.c.name)
	s.nameSignal(old.c, "NameLost", name)
	s.nameSignal(cl.c, "NameAcquired", name)
}

// releaseName implements ReleaseName.
func (s *Server) releaseName(c *conn, name string) (uint32, *driverError) {
	if err := checkOwnable(name); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.names[name]
	if o == nil {
		return releaseNonExistent, nil
	}
	i := o.index(c)
	if i < 0 {
		return releaseNotOwner, nil
	}
	s.dropClaim(name, o, i, true)
	return releaseReleased, nil
}

// dropClaim removes queue entry i of name; if it was the primary owner, the
// next in line (if any) takes over. s.mu must be held for writing.
func (s *Server) dropClaim(name string, o *owner, i int, tell bool) {
	c := o.queue[i].c
	c.owned--
	o.queue = slices.Delete(o.queue, i, i+1)
	if i != 0 {
		return
	}
	next := ""
	if len(o.queue) == 0 {
		delete(s.names, name)
	} else {
		next = o.primary().name
	}
	s.ownerChanged(name, c.name, next)
	if tell {
		s.nameSignal(c, "NameLost", name)
	}
	if next != "" {
		s.nameSignal(o.primary(), "NameAcquired", name)
	}
}

// releaseAll drops every name c owns or queues for. s.mu must be held for
// writing.
func (s *Server) releaseAll(c *conn, tell bool) {
	if c.owned == 0 {
		return
	}
	var mine []string
	for name, o := range s.names {
		if o.index(c) >= 0 {
			mine = append(mine, name)
		}
	}
	slices.Sort(mine)
	for _, name := range mine {
		o := s.names[name]
		s.dropClaim(name, o, o.index(c), tell)
	}
}

// ownerChanged broadcasts NameOwnerChanged. s.mu must be held.
func (s *Server) ownerChanged(name, old, new string) {
	e := encoder{order: littleEndian}
	e.str(name)
	e.str(old)
	e.str(new)
	h := &header{typ: typeSignal, member: "NameOwnerChanged", sig: "sss"}
	s.fromBusLocked(nil, h, e.buf)
}

// nameSignal sends NameAcquired or NameLost to c. s.mu must be held.
func (s *Server) nameSignal(c *conn, member, name string) {
	e := encoder{order: littleEndian}
	e.str(name)
	s.fromBusLocked(c, &header{typ: typeSignal, member: member, sig: "s"}, e.buf)
}
