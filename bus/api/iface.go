package api

import (
	"github.com/godbus/dbus/v5"
)

// Interface names.
const (
	ifaceManager       = "org.freedesktop.systemd1.Manager"
	ifaceUnit          = "org.freedesktop.systemd1.Unit"
	ifaceService       = "org.freedesktop.systemd1.Service"
	ifaceJob           = "org.freedesktop.systemd1.Job"
	ifaceSvunitManager = "io.svunit1.Manager"
	ifaceSvunitUnit    = "io.svunit1.Unit"
	ifaceProperties    = "org.freedesktop.DBus.Properties"
	ifaceIntrospect    = "org.freedesktop.DBus.Introspectable"
	ifacePeer          = "org.freedesktop.DBus.Peer"
)

// An arg is one named, typed argument of a method or signal, as
// introspection shows it.
type arg struct{ name, sig string }

// A method is one D-Bus method: its arguments, for introspection and for
// checking a call's signature before run sees it, and its body.
type method struct {
	name    string
	in, out []arg
	run     func(c *call) ([]any, error)
	inSig   string // in's signatures joined, computed by newIface
}

// A signalDef is one signal an interface emits, for introspection.
type signalDef struct {
	name string
	args []arg
}

// A propDef describes one property: name, D-Bus type, and whether it changes
// while the object lives (and so is sent in PropertiesChanged) or only when
// the unit file is reloaded.
type propDef struct {
	name    string
	sig     dbus.Signature
	dynamic bool
}

// A prop is a propDef with its getter for objects of type T.
type prop[T any] struct {
	name    string
	sig     string
	dynamic bool
	get     func(T) any
}

// An ifaceDef is the fixed shape of one interface: what introspection
// shows and what calls may name. It is built once and shared.
type ifaceDef struct {
	name    string
	methods []*method
	signals []signalDef
	props   []propDef
	byName  map[string]*method
	propIdx map[string]int
	xmlText string // the <interface> element, built once by newIface
}

func newIface(name string, methods []*method, signals []signalDef, props []propDef) *ifaceDef {
	d := &ifaceDef{name: name, methods: methods, signals: signals, props: props,
		byName: map[string]*method{}, propIdx: map[string]int{}}
	for _, m := range methods {
		for _, a := range m.in {
			m.inSig += a.sig
		}
		d.byName[m.name] = m
	}
	for i, p := range props {
		d.propIdx[p.name] = i
	}
	d.xmlText = d.xml()
	return d
}

// propDefs returns the shape of a property table.
func propDefs[T any](ps []prop[T]) []propDef {
	out := make([]propDef, len(ps))
	for i, p := range ps {
		out[i] = propDef{name: p.name, sig: dbus.ParseSignatureMust(p.sig), dynamic: p.dynamic}
	}
	return out
}

// propValues returns a getter for the i-th property of ps on v.
func propValues[T any](ps []prop[T], v T) func(i int) any {
	return func(i int) any { return ps[i].get(v) }
}

// An ifaceImpl is one interface of one object: its shape and where its
// property values come from.
type ifaceImpl struct {
	def *ifaceDef
	get func(i int) any // value of def.props[i]; nil when there are none
}

// variant returns property i of x as a variant of its declared type.
func (x ifaceImpl) variant(i int) dbus.Variant {
	return dbus.MakeVariantWithSignature(x.get(i), x.def.props[i].sig)
}

// all returns every property of x, as GetAll replies.
func (x ifaceImpl) all(into map[string]dbus.Variant) {
	for i, p := range x.def.props {
		into[p.name] = x.variant(i)
	}
}
