//go:build linux

// Command bench measures svunit side by side with Python's Supervisor
// (supervisord and supervisorctl), and with s6 and runit where a workload
// applies to them, on the same machine in the same run.
//
// Run it from the svunit checkout:
//
//	go run ./contrib/bench            # the full run (tens of minutes)
//	go run ./contrib/bench --quick    # small sizes, a few minutes: CI
//
// It builds svunit from the checkout (or takes --svunit PATH), installs
// Debian's supervisor package when supervisord is missing and it runs as
// root, and writes equivalent configurations for every manager: the same
// children, the same options. Each workload runs on every manager in turn,
// the order rotating from round to round, and the report gives the median,
// minimum and maximum of the rounds and the ratio svunit/Supervisor, as a
// markdown table on standard output and as JSON (--out DIR). The floors, in
// the same run, are what the work costs without a supervisor: plain
// fork/exec of the same children from Go, a pipe through cat into a file,
// and the writer straight into a file.
//
// A measure svunit cannot take yet says so in its cell ("n/a: needs …")
// rather than show a number.
//
// # Processes
//
// The harness makes itself a child subreaper, so everything it starts, and
// everything those start, stays its descendant. It signals only processes
// it started or their descendants, by pid checked against the start time
// in /proc/PID/stat through a pidfd, never by name. On the way out, on
// SIGINT, SIGTERM or SIGHUP as much as at the end, it kills what is left of
// its descendants and removes its run directory (--keep keeps it).
//
// Waits are on conditions with deadlines (a manager's own status, /proc),
// never on sleeps; the only timed pauses are measurement windows.
package main
