// Package units is svunit's unit-file model: it loads NAME.unit (and
// NAME.service) files in systemd's syntax, validates them, applies defaults,
// expands templates and instances, resolves groups, and computes start order.
//
// LoadFile loads one file and LoadDir a directory, each unit with its
// drop-ins (NAME.unit.d/*.conf, and an instance's TEMPLATE@.unit.d/*.conf,
// sorted by file name as systemd applies them); both report problems as
// an ErrorList whose entries read "file:line: Section.Directive: message",
// every problem of a file at once. The go-systemd parser does the parsing;
// a scan of the same bytes with the parser's rules gives each option its
// line, since the parser keeps none. NewSet checks units against each
// other (one name each, one log file each, Requires= met, no dependency
// cycle); a Set answers the CLI's and the bus's questions: Get, Resolve,
// Groups, StartOrder. Every directive lives in one table (directives.go),
// from which docs/directives.md is generated.
//
// Concurrency: loading is synchronous and keeps no state between calls. A
// loaded Unit and a Set are immutable, so any number of goroutines may read
// them; the manager replaces them on reload instead of changing them.
//
// What it deliberately does not do: it is pure. It reads unit files and the
// user database (User=, Group=, AllowUsers= must name someone who exists)
// and nothing else; it never spawns, locks, logs or watches files.
// Environment variables are expanded at spawn time by Command.Expand, not at
// load time, and EnvironmentFile= is read by the manager at each start.
package units
