package api

import (
	"strings"
)

const introspectHeader = `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
`

// standardXML describes the interfaces every object has.
const standardXML = ` <interface name="org.freedesktop.DBus.Peer">
  <method name="Ping"/>
  <method name="GetMachineId">
   <arg type="s" name="machine_uuid" direction="out"/>
  </method>
 </interface>
 <interface name="org.freedesktop.DBus.Introspectable">
  <method name="Introspect">
   <arg name="xml_data" type="s" direction="out"/>
  </method>
 </interface>
 <interface name="org.freedesktop.DBus.Properties">
  <method name="Get">
   <arg name="interface_name" direction="in" type="s"/>
   <arg name="property_name" direction="in" type="s"/>
   <arg name="value" direction="out" type="v"/>
  </method>
  <method name="GetAll">
   <arg name="interface_name" direction="in" type="s"/>
   <arg name="props" direction="out" type="a{sv}"/>
  </method>
  <method name="Set">
   <arg name="interface_name" direction="in" type="s"/>
   <arg name="property_name" direction="in" type="s"/>
   <arg name="value" direction="in" type="v"/>
  </method>
  <signal name="PropertiesChanged">
   <arg type="s" name="interface_name"/>
   <arg type="a{sv}" name="changed_properties"/>
   <arg type="as" name="invalidated_properties"/>
  </signal>
 </interface>
`

// xml returns d's <interface> element; newIface keeps it in d.xmlText,
// since the shape never changes.
func (d *ifaceDef) xml() string {
	var b strings.Builder
	b.WriteString(` <interface name="` + d.name + "\">\n")
	for _, p := range d.props {
		b.WriteString(`  <property name="` + p.name + `" type="` + p.sig.String() + `" access="read">` + "\n")
		emits := "const"
		if p.dynamic {
			emits = "true"
		} else if unsignalledProps[p.name] {
			emits = "false"
		}
		b.WriteString(`   <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="` + emits + "\"/>\n  </property>\n")
	}
	for _, m := range d.methods {
		b.WriteString(`  <method name="` + m.name + "\">\n")
		writeArgs(&b, m.in, ` direction="in"`)
		writeArgs(&b, m.out, ` direction="out"`)
		b.WriteString("  </method>\n")
	}
	for _, s := range d.signals {
		b.WriteString(`  <signal name="` + s.name + "\">\n")
		writeArgs(&b, s.args, "")
		b.WriteString("  </signal>\n")
	}
	b.WriteString(" </interface>\n")
	return b.String()
}

func writeArgs(b *strings.Builder, args []arg, dir string) {
	for _, a := range args {
		b.WriteString(`   <arg type="` + a.sig + `" name="` + a.name + `"` + dir + "/>\n")
	}
}

// introspect returns the XML document for an object with ifaces and the
// given child node names.
func introspect(ifaces []ifaceImpl, children []string) string {
	var b strings.Builder
	b.WriteString(introspectHeader)
	b.WriteString("<node>\n")
	if len(ifaces) > 0 {
		b.WriteString(standardXML)
	}
	for _, x := range ifaces {
		b.WriteString(x.def.xmlText)
	}
	for _, c := range children {
		b.WriteString(` <node name="` + c + "\"/>\n")
	}
	b.WriteString("</node>\n")
	return b.String()
}
