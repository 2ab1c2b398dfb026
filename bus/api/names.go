package api

import (
	"strconv"
	"strings"

	"github.com/godbus/dbus/v5"
)

// Object paths and well-known names of the API.
const (
	SystemdName  = "org.freedesktop.systemd1" // well-known name on svunit's own bus
	SvunitName   = "io.svunit1"               // well-known name everywhere
	ManagerPath  = dbus.ObjectPath("/org/freedesktop/systemd1")
	unitPrefix   = "/org/freedesktop/systemd1/unit"
	jobPrefix    = "/org/freedesktop/systemd1/job"
	svunitSuffix = ".unit"
)

// UnitPath returns the object path of the unit called name, escaped as
// systemd escapes bus labels: every byte that is not [A-Za-z0-9] (and a
// leading digit) becomes '_' and two lower-case hex digits.
func UnitPath(name string) dbus.ObjectPath {
	return dbus.ObjectPath(unitPrefix + "/" + escapeLabel(name))
}

// JobPath returns the object path of job id.
func JobPath(id uint32) dbus.ObjectPath {
	return dbus.ObjectPath(jobPrefix + "/" + strconv.FormatUint(uint64(id), 10))
}

// UnitNameFromPath returns the unit name a unit object path stands for, or
// false when p is not below /org/freedesktop/systemd1/unit.
func UnitNameFromPath(p dbus.ObjectPath) (string, bool) {
	label, ok := strings.CutPrefix(string(p), unitPrefix+"/")
	if !ok || label == "" || strings.Contains(label, "/") {
		return "", false
	}
	return unescapeLabel(label)
}

// jobIDFromPath returns the job id of a job object path.
func jobIDFromPath(p dbus.ObjectPath) (uint32, bool) {
	s, ok := strings.CutPrefix(string(p), jobPrefix+"/")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(s, 10, 32)
	return uint32(id), err == nil
}

const hexDigits = "0123456789abcdef"

func escapeLabel(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if alpha || digit && i > 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('_')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func unescapeLabel(s string) (string, bool) {
	if s == "_" {
		return "", true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			return "", false
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String(), true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// candidates lists, most likely first, the unit names a client's name may
// stand for. systemctl appends ".service" to any name whose suffix is not a
// systemd unit type, so "web.unit" arrives as "web.unit.service" and "web"
// as "web.service": X.service means X when X is a unit, else X.unit. A bare
// name (svunit's own CLI, busctl users) means NAME.unit, then NAME.service.
func candidates(name string) []string {
	if base, ok := strings.CutSuffix(name, ".service"); ok && base != "" {
		if strings.HasSuffix(base, svunitSuffix) {
			return []string{name, base}
		}
		return []string{name, base, base + svunitSuffix}
	}
	if strings.HasSuffix(name, svunitSuffix) {
		return []string{name}
	}
	return []string{name + svunitSuffix, name + ".service", name}
}
