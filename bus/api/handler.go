package api

import (
	"fmt"
	"runtime/debug"

	"github.com/godbus/dbus/v5"
)

// handler routes method calls on a connection to the API's objects. It
// implements godbus's Handler, so that unit objects need no registration:
// a path is looked up when a call names it, in the current unit set.
type handler struct{ a *API }

// LookupObject returns the object at p. A path under the unit prefix whose
// unit is unknown still answers Properties and Introspect, as systemd's
// not-found units do; every other unknown path answers UnknownObject, the
// specification's name (godbus's own would be NoSuchObject).
func (h handler) LookupObject(p dbus.ObjectPath) (dbus.ServerObject, bool) {
	if o := h.a.object(p); o != nil {
		return o, true
	}
	return noObject(p), true
}

// noObject is a path with no object: every call on it fails.
type noObject dbus.ObjectPath

func (n noObject) LookupInterface(string) (dbus.Interface, bool) { return n, true }
func (n noObject) LookupMethod(string) (dbus.Method, bool)       { return n, true }
func (n noObject) Call(...any) ([]any, error)                    { return nil, n.err() }
func (n noObject) NumArguments() int                             { return 0 }
func (n noObject) NumReturns() int                               { return 0 }
func (n noObject) ArgumentValue(int) any                         { return nil }
func (n noObject) ReturnValue(int) any                           { return nil }

func (n noObject) DecodeArguments(*dbus.Conn, string, *dbus.Message, []any) ([]any, error) {
	return nil, n.err()
}

func (n noObject) err() error {
	return busError(ErrUnknownObject, "No object at %s: units are at %s/NAME (escaped), jobs at %s/ID.", string(n), unitPrefix, jobPrefix)
}

// An object is one path's view, built per call from the current state.
type object struct {
	a        *API
	path     dbus.ObjectPath
	ifaces   []ifaceImpl
	children func() []string // child node names for Introspect; nil for none
	missing  string          // a unit object whose unit is unknown: its name
}

func (o *object) LookupInterface(name string) (dbus.Interface, bool) {
	switch name {
	case ifaceProperties:
		return boundIface{o, propertiesDef}, true
	case ifaceIntrospect:
		return boundIface{o, introspectDef}, true
	case "":
		return anyIface{o}, true
	}
	for _, x := range o.ifaces {
		if x.def.name == name {
			return boundIface{o, x.def}, true
		}
	}
	return nil, false
}

// boundIface is one interface of one object.
type boundIface struct {
	o   *object
	def *ifaceDef
}

func (b boundIface) LookupMethod(name string) (dbus.Method, bool) {
	m, ok := b.def.byName[name]
	if !ok {
		return nil, false
	}
	return boundMethod{b.o, m}, true
}

// anyIface serves calls that name no interface, which D-Bus allows: the
// first interface with a method of that name takes it.
type anyIface struct{ o *object }

func (x anyIface) LookupMethod(name string) (dbus.Method, bool) {
	for _, d := range append([]*ifaceDef{propertiesDef, introspectDef}, x.o.defs()...) {
		if m, ok := d.byName[name]; ok {
			return boundMethod{x.o, m}, true
		}
	}
	return nil, false
}

func (o *object) defs() []*ifaceDef {
	ds := make([]*ifaceDef, len(o.ifaces))
	for i, x := range o.ifaces {
		ds[i] = x.def
	}
	return ds
}

// A call is one method call being served.
type call struct {
	a      *API
	obj    *object
	conn   *dbus.Conn
	sender string
	serial uint32
	reply  bool  // the caller wants a reply, which Call sends itself
	args   []any // the body, already checked against the method's signature

	after []func() // run once the reply is on the wire (see API.holdJobs)
}

// boundMethod is a method of one object; it implements godbus's Method and
// ArgumentDecoder so that it sees the raw message.
type boundMethod struct {
	o *object
	m *method
}

// DecodeArguments checks the call's signature and wraps it in a call. It
// takes over sending the reply (by marking the message as wanting none)
// so that Call can run code after the reply is sent: a job's JobRemoved
// signal must never overtake the reply that names the job.
func (b boundMethod) DecodeArguments(conn *dbus.Conn, sender string, msg *dbus.Message, body []any) ([]any, error) {
	var sig dbus.Signature
	if v, ok := msg.Headers[dbus.FieldSignature]; ok {
		sig, _ = v.Value().(dbus.Signature)
	}
	if sig.String() != b.m.inSig {
		return nil, busError(ErrInvalidArgs, "%s takes arguments of type %q, not %q", b.m.name, b.m.inSig, sig.String())
	}
	c := &call{a: b.o.a, obj: b.o, conn: conn, sender: sender, serial: msg.Serial(), args: body}
	if msg.Flags&dbus.FlagNoReplyExpected == 0 {
		c.reply = true
		msg.Flags |= dbus.FlagNoReplyExpected
	}
	return []any{c}, nil
}

// Call runs the method. Errors go back through godbus, which sends them
// whatever the flags say; a result is sent here, then the call's after
// hooks run.
func (b boundMethod) Call(args ...any) (_ []any, err error) {
	c, ok := args[0].(*call)
	if !ok {
		return nil, busError(ErrFailed, "internal error: %s called without its message", b.m.name)
	}
	defer func() {
		// A bug must cost one call, not the daemon and its children.
		if p := recover(); p != nil {
			c.a.logf("api: %s.%s panicked for %s: %v\n%s", b.m.name, c.obj.path, c.sender, p, debug.Stack())
			err = busError(ErrFailed, "internal error in svunit serving %s; the daemon logged it", b.m.name)
		}
		for _, f := range c.after {
			f()
		}
	}()
	if err := c.a.permit(c, b.m); err != nil {
		return nil, err
	}
	out, err := b.m.run(c)
	if err != nil {
		return nil, err
	}
	if c.reply {
		c.sendReply(out)
	}
	return nil, nil
}

func (b boundMethod) NumArguments() int     { return len(b.m.in) }
func (b boundMethod) NumReturns() int       { return len(b.m.out) }
func (b boundMethod) ArgumentValue(int) any { return nil }
func (b boundMethod) ReturnValue(int) any   { return nil }
func (c *call) str(i int) string            { return c.args[i].(string) }
func (c *call) strs(i int) []string         { return c.args[i].([]string) }
func (c *call) u32(i int) uint32            { return c.args[i].(uint32) }
func (c *call) i32(i int) int32             { return c.args[i].(int32) }
func (c *call) onReplied(f func())          { c.after = append(c.after, f) }

// sendReply sends a method return with body out to the caller.
func (c *call) sendReply(out []any) {
	msg := &dbus.Message{
		Type: dbus.TypeMethodReply,
		Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldReplySerial: dbus.MakeVariant(c.serial),
		},
		Body: out,
	}
	if c.sender != "" {
		msg.Headers[dbus.FieldDestination] = dbus.MakeVariant(c.sender)
	}
	if len(out) > 0 {
		msg.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(out...))
	}
	if r := c.conn.Send(msg, nil); r.Err != nil {
		c.a.logf("api: cannot reply to %s: %v", c.sender, r.Err)
	}
}

// String names the call for log lines.
func (c *call) String() string { return fmt.Sprintf("call from %s on %s", c.sender, c.obj.path) }
