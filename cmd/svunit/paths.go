package main

import (
	"os"
	"path/filepath"
	"strconv"
)

// paths are the places a manager and its clients agree on. The defaults
// depend on whether this is the system manager (root) or a per-user one; every
// path can be overridden by a flag or an environment variable.
type paths struct {
	System bool   // the system manager's layout
	Units  string // unit directory
	Bus    string // bus socket
	LogDir string // default log directory for unit output
}

// paths resolves g's flags, then SVUNIT_UNITS, SVUNIT_BUS and SVUNIT_LOG_DIR,
// then the defaults: /etc/svunit/units, /run/svunit/bus and /var/log/svunit
// for root; $XDG_CONFIG_HOME/svunit/units, $XDG_RUNTIME_DIR/svunit/bus and
// $XDG_STATE_HOME/svunit/log for everyone else.
func (g *globals) paths() paths {
	p := paths{System: os.Geteuid() == 0}
	if g.user {
		p.System = false
	}
	if g.system {
		p.System = true
	}
	if p.System {
		p.Units, p.Bus, p.LogDir = "/etc/svunit/units", "/run/svunit/bus", "/var/log/svunit"
	} else {
		home, _ := os.UserHomeDir()
		p.Units = filepath.Join(xdg("XDG_CONFIG_HOME", filepath.Join(home, ".config")), "svunit", "units")
		p.Bus = filepath.Join(xdg("XDG_RUNTIME_DIR", filepath.Join(os.TempDir(), "svunit-"+strconv.Itoa(os.Getuid()))), "svunit", "bus")
		p.LogDir = filepath.Join(xdg("XDG_STATE_HOME", filepath.Join(home, ".local", "state")), "svunit", "log")
	}
	p.Units = pick(g.units, os.Getenv("SVUNIT_UNITS"), p.Units)
	p.Bus = pick(g.bus, os.Getenv("SVUNIT_BUS"), p.Bus)
	p.LogDir = pick(os.Getenv("SVUNIT_LOG_DIR"), p.LogDir)
	return p
}

func xdg(name, fallback string) string {
	if v := os.Getenv(name); filepath.IsAbs(v) {
		return v
	}
	return fallback
}

// pick returns the first non-empty string.
func pick(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
