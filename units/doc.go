// Package units is svunit's unit-file model: it loads NAME.unit (and
// NAME.service) files in systemd's syntax, validates them, applies defaults,
// expands templates and instances, resolves groups, and computes start order.
//
// It is pure: it reads files and the user database, and nothing else. It
// never spawns, locks or logs. Loaded units are immutable and safe to share
// between goroutines.
package units
