package service

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"svunit.dev/svunit/compat"
)

// A backend is one init system install-service can use: which wrapper it
// takes, which kardianos/service system installs it (none where svunit
// installs it itself), and which files and commands an install involves.
type backend struct {
	target    compat.Target
	kardianos string // kardianos/service system name; "" = installed by svunit
	option    string // kardianos/service option that takes the wrapper as its template

	// files lists what an install writes; the first is the wrapper.
	files func(name string, user bool) ([]string, error)
	// enable and disable are the commands run after writing the wrapper and
	// before removing it, where kardianos/service does not run them.
	enable, disable func(name string) [][]string
	// status is the wrapper's argument that asks whether the manager runs,
	// for the backends svunit asks itself (kardianos/service reads a SysV
	// script's "stopped" exit status as an error), and stopped the exit
	// status that means "installed, not running".
	status  string
	stopped int
}

var backends = []backend{
	{target: compat.Systemd, kardianos: "linux-systemd", option: "SystemdScript", files: systemdFiles},
	{target: compat.SysV, kardianos: "unix-systemv", option: "SysvScript", files: sysvFiles, status: "status", stopped: 3},
	{target: compat.OpenRC, kardianos: "linux-openrc", option: "OpenRCScript", files: fixed("/etc/init.d/%s", "/etc/runlevels/default/%s")},
	{target: compat.Upstart, kardianos: "linux-upstart", option: "UpstartScript", files: fixed("/etc/init/%s.conf")},
	{target: compat.Launchd, kardianos: "darwin-launchd", option: "LaunchdConfig", files: launchdFiles},
	{target: compat.FreeBSD, kardianos: "freebsd", option: "SysvScript", files: fixed("/usr/local/etc/rc.d/%s"),
		enable:  func(n string) [][]string { return [][]string{{"sysrc", n + "_enable=YES"}} },
		disable: func(n string) [][]string { return [][]string{{"sysrc", "-x", n + "_enable"}} }},
	{target: compat.OpenBSD, files: fixed("/etc/rc.d/%s"), status: "check", stopped: 1,
		enable:  func(n string) [][]string { return [][]string{{"rcctl", "enable", n}} },
		disable: func(n string) [][]string { return [][]string{{"rcctl", "disable", n}} }},
	{target: compat.NetBSD, status: "status", stopped: 1, files: func(n string, _ bool) ([]string, error) {
		return []string{"/etc/rc.d/" + n, "/etc/rc.conf.d/" + n}, nil
	}},
}

// backendFor returns the backend for a target or kardianos/service name.
func backendFor(name string) (backend, error) {
	for _, b := range backends {
		if string(b.target) == name || b.kardianos != "" && b.kardianos == name {
			return b, nil
		}
	}
	names := make([]string, len(backends))
	for i, b := range backends {
		names[i] = string(b.target)
	}
	return backend{}, fmt.Errorf("svunit has no wrapper for the init system %q; use one of %s, or 'svunit generate' and install by hand", name, strings.Join(names, ", "))
}

// fixed returns a files function for system-wide files, each format
// holding %s for the name.
func fixed(formats ...string) func(string, bool) ([]string, error) {
	return func(name string, user bool) ([]string, error) {
		if user {
			return nil, fmt.Errorf("this init system has no per-user services; drop --user")
		}
		files := make([]string, len(formats))
		for i, f := range formats {
			files[i] = fmt.Sprintf(f, name)
		}
		return files, nil
	}
}

var (
	systemdFiles = systemOrHome("/etc/systemd/system/%s.service", ".config/systemd/user/%s.service")
	launchdFiles = systemOrHome("/Library/LaunchDaemons/%s.plist", "Library/LaunchAgents/%s.plist")
)

// systemOrHome returns a files function for an init system with per-user
// services: system is an absolute path, user one relative to the home
// directory; both hold %s for the name.
func systemOrHome(system, user string) func(string, bool) ([]string, error) {
	return func(name string, perUser bool) ([]string, error) {
		if !perUser {
			return []string{fmt.Sprintf(system, name)}, nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		return []string{filepath.Join(home, fmt.Sprintf(user, name))}, nil
	}
}

// sysvFiles lists the init script and the runlevel links kardianos/service
// makes for it (start in 2-5, kill in 0, 1 and 6).
func sysvFiles(name string, user bool) ([]string, error) {
	files, err := fixed("/etc/init.d/%s")(name, user)
	if err != nil {
		return nil, err
	}
	for _, l := range "2345" {
		files = append(files, fmt.Sprintf("/etc/rc%c.d/S50%s", l, name))
	}
	for _, l := range "016" {
		files = append(files, fmt.Sprintf("/etc/rc%c.d/K02%s", l, name))
	}
	return files, nil
}
