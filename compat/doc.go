// Package compat fits svunit into the systems its users already have: it
// writes the wrapper that runs the svunit manager under each init system
// (FreeBSD, OpenBSD and NetBSD rc.d, SysV init.d, OpenRC, Upstart, launchd,
// systemd), with one escaper per target language in quote.go.
//
// Installing the wrapper as the machine's service lives in compat/service,
// and converting a Supervisor configuration into unit files in
// compat/supervisord.
//
// Generate is a pure function of its Options: it reads no files and may be
// called from any goroutine. It does not guess paths (the caller passes the
// executable and, where it wants them, the unit directory and bus), and it
// refuses a value the target cannot represent instead of writing a script
// that would run something else.
package compat
