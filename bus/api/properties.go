package api

import (
	"github.com/godbus/dbus/v5"
)

// propertiesDef is org.freedesktop.DBus.Properties, served on every object
// from the object's interface tables.
var propertiesDef = newIface(ifaceProperties, []*method{
	{name: "Get", in: []arg{{"interface_name", "s"}, {"property_name", "s"}}, out: []arg{{"value", "v"}}, run: propGet},
	{name: "GetAll", in: []arg{{"interface_name", "s"}}, out: []arg{{"props", "a{sv}"}}, run: propGetAll},
	{name: "Set", in: []arg{{"interface_name", "s"}, {"property_name", "s"}, {"value", "v"}}, run: propSet},
}, []signalDef{{"PropertiesChanged", []arg{{"interface_name", "s"}, {"changed_properties", "a{sv}"}, {"invalidated_properties", "as"}}}}, nil)

// introspectDef is org.freedesktop.DBus.Introspectable.
var introspectDef = newIface(ifaceIntrospect, []*method{
	{name: "Introspect", out: []arg{{"xml_data", "s"}}, run: func(c *call) ([]any, error) {
		var children []string
		if c.obj.children != nil {
			children = c.obj.children()
		}
		return []any{introspect(c.obj.ifaces, children)}, nil
	}},
}, nil, nil)

// findProp returns the interface of o holding property name; iface "" means
// any of them, as sd-bus clients allow.
func (o *object) findProp(iface, name string) (ifaceImpl, int, error) {
	known := iface == ""
	for _, x := range o.ifaces {
		if iface != "" && x.def.name != iface {
			continue
		}
		known = true
		if i, ok := x.def.propIdx[name]; ok {
			return x, i, nil
		}
	}
	if !known {
		return ifaceImpl{}, 0, busError(ErrUnknownInterface, "Object %s has no interface %s.", o.path, iface)
	}
	return ifaceImpl{}, 0, busError(ErrUnknownProperty, "Object %s has no property %s%s.", o.path, name, onIface(iface))
}

func onIface(iface string) string {
	if iface == "" {
		return ""
	}
	return " on interface " + iface
}

func propGet(c *call) ([]any, error) {
	x, i, err := c.obj.findProp(c.str(0), c.str(1))
	if err != nil {
		return nil, err
	}
	return []any{x.variant(i)}, nil
}

func propGetAll(c *call) ([]any, error) {
	iface := c.str(0)
	props := make(map[string]dbus.Variant, 64)
	found := iface == ""
	for _, x := range c.obj.ifaces {
		if iface == "" || x.def.name == iface {
			x.all(props)
			found = true
		}
	}
	if !found && iface != ifaceProperties && iface != ifaceIntrospect && iface != ifacePeer {
		return nil, busError(ErrUnknownInterface, "Object %s has no interface %s.", c.obj.path, iface)
	}
	return []any{props}, nil
}

func propSet(c *call) ([]any, error) {
	if _, _, err := c.obj.findProp(c.str(0), c.str(1)); err != nil {
		return nil, err
	}
	return nil, busError(ErrPropertyReadOnly, "Property %s is read-only: change the unit file and run 'svunit reload'.", c.str(1))
}
