package bus

import "strings"

// busFeatures and busInterfaces are the driver's Features and Interfaces
// properties.
var (
	busFeatures   = []string{}
	busInterfaces = []string{"org.freedesktop.DBus.Monitoring"}
)

// introspectXML describes the driver's object; it is written out here (not
// generated from driverMethods) so that argument names and directions read
// as in the specification.
const introspectXML = `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="org.freedesktop.DBus">
    <method name="Hello"><arg direction="out" type="s"/></method>
    <method name="RequestName"><arg direction="in" type="s"/><arg direction="in" type="u"/><arg direction="out" type="u"/></method>
    <method name="ReleaseName"><arg direction="in" type="s"/><arg direction="out" type="u"/></method>
    <method name="StartServiceByName"><arg direction="in" type="s"/><arg direction="in" type="u"/><arg direction="out" type="u"/></method>
    <method name="UpdateActivationEnvironment"><arg direction="in" type="a{ss}"/></method>
    <method name="NameHasOwner"><arg direction="in" type="s"/><arg direction="out" type="b"/></method>
    <method name="ListNames"><arg direction="out" type="as"/></method>
    <method name="ListActivatableNames"><arg direction="out" type="as"/></method>
    <method name="AddMatch"><arg direction="in" type="s"/></method>
    <method name="RemoveMatch"><arg direction="in" type="s"/></method>
    <method name="GetNameOwner"><arg direction="in" type="s"/><arg direction="out" type="s"/></method>
    <method name="ListQueuedOwners"><arg direction="in" type="s"/><arg direction="out" type="as"/></method>
    <method name="GetConnectionUnixUser"><arg direction="in" type="s"/><arg direction="out" type="u"/></method>
    <method name="GetConnectionUnixProcessID"><arg direction="in" type="s"/><arg direction="out" type="u"/></method>
    <method name="GetAdtAuditSessionData"><arg direction="in" type="s"/><arg direction="out" type="ay"/></method>
    <method name="GetConnectionSELinuxSecurityContext"><arg direction="in" type="s"/><arg direction="out" type="ay"/></method>
    <method name="GetConnectionCredentials"><arg direction="in" type="s"/><arg direction="out" type="a{sv}"/></method>
    <method name="ReloadConfig"/>
    <method name="GetId"><arg direction="out" type="s"/></method>
    <signal name="NameOwnerChanged"><arg type="s"/><arg type="s"/><arg type="s"/></signal>
    <signal name="NameLost"><arg type="s"/></signal>
    <signal name="NameAcquired"><arg type="s"/></signal>
    <property name="Features" type="as" access="read"><annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/></property>
    <property name="Interfaces" type="as" access="read"><annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/></property>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get"><arg direction="in" type="s"/><arg direction="in" type="s"/><arg direction="out" type="v"/></method>
    <method name="GetAll"><arg direction="in" type="s"/><arg direction="out" type="a{sv}"/></method>
    <method name="Set"><arg direction="in" type="s"/><arg direction="in" type="s"/><arg direction="in" type="v"/></method>
    <signal name="PropertiesChanged"><arg type="s"/><arg type="a{sv}"/><arg type="as"/></signal>
  </interface>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect"><arg direction="out" type="s"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Monitoring">
    <method name="BecomeMonitor"><arg direction="in" type="as"/><arg direction="in" type="u"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
    <method name="GetMachineId"><arg direction="out" type="s"/></method>
  </interface>
</node>
`

func (s *Server) introspect(*conn, *argReader) (driverReply, *driverError) {
	return strReply(introspectXML), nil
}

// busProperty returns a driver property's value, all of which are "as".
func busProperty(iface, name string) ([]string, *driverError) {
	if iface != busName && iface != "" {
		return nil, errorf(errUnknownInterface, "Interface %q has no properties here", iface)
	}
	switch name {
	case "Features":
		return busFeatures, nil
	case "Interfaces":
		return busInterfaces, nil
	}
	return nil, errorf(errUnknownProperty, "No property %q on interface %s", name, busName)
}

func (s *Server) propGet(_ *conn, a *argReader) (driverReply, *driverError) {
	v, err := busProperty(a.str(), a.str())
	if err != nil {
		return driverReply{}, err
	}
	return replyOf("v", func(e *encoder) {
		e.sig("as")
		e.strs(v)
	}), nil
}

func (s *Server) propGetAll(_ *conn, a *argReader) (driverReply, *driverError) {
	iface := a.str()
	if _, err := busProperty(iface, "Features"); err != nil {
		return driverReply{}, err
	}
	return replyOf("a{sv}", func(e *encoder) {
		e.array(8, func() {
			e.entry("Features", "as", func() { e.strs(busFeatures) })
			e.entry("Interfaces", "as", func() { e.strs(busInterfaces) })
		})
	}), nil
}

func (s *Server) propSet(_ *conn, a *argReader) (driverReply, *driverError) {
	iface, name := a.str(), a.str()
	if _, err := busProperty(iface, name); err != nil {
		return driverReply{}, err
	}
	return driverReply{}, errorf(errAccessDenied, "Property %s.%s is read-only", strings.TrimSpace(busName), name)
}
