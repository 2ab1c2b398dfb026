// Package service installs the svunit manager as the one service of the
// machine's init system, with github.com/kardianos/service where it knows
// the init system (systemd, SysV init.d, OpenRC, Upstart, launchd, FreeBSD
// rc.d) and by itself on OpenBSD and NetBSD, where it does not.
//
// The file installed is always the wrapper compat.Generate writes for that
// init system, passed to kardianos/service as its template, so that
// 'svunit generate' and 'svunit install-service' write the same bytes and
// every path is quoted by compat's escapers. Uninstall removes every file
// Install wrote, including the SysV runlevel links kardianos/service leaves.
//
// Choosing a backend (New with Config.Backend) changes kardianos/service's
// package-wide choice of init system, so a process should build one Service
// at a time; the CLI builds one per run. The package does not start the
// manager at install time and does not create the unit directory (a
// manager without one runs with no units until it exists and is reloaded).
package service
