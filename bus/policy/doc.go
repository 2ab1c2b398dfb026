// Package policy decides who may do what through svunit's bus: the access
// rules of the root manager, which normal users reach over a socket anyone
// may connect to.
//
// Identity is the kernel's: the uid, gid and pid the bus read from the
// socket (SO_PEERCRED) when the client connected, and the groups of that
// uid. Nothing a client says about itself counts.
//
// The rules, in order:
//   - root and the manager's own uid may do everything;
//   - anyone who can connect may read status (properties, lists, groups):
//     who can connect at all is the socket's mode, see docs/access.md;
//   - the verbs logs, start, stop, restart and kill on a unit need a grant:
//     [Unit] AllowUsers=NAME:VERB,… or AllowGroups=NAME:VERB,… in the
//     unit's file, or the same lines in a section of the manager-level file
//     (/etc/svunit/access.conf) that names the unit, one of its @groups or a
//     glob matching it;
//   - the manager-wide verb manage (Reload, ResetFailed for all units, …),
//     owning names, eavesdropping, sending signals and calling anything but
//     the manager's own connection stay with root and the manager's uid.
//
// Every refusal is an error whose text names the rule that refused; the
// bus and the API send it as org.freedesktop.DBus.Error.AccessDenied. Every
// state change (allowed or refused) is logged with the caller's uid and pid.
//
// The package also checks the root manager's own inputs (trust.go): unit
// files, their directories and access.conf must not be writable by anyone
// but root, as sudo insists for sudoers; otherwise a normal user could make
// root run their command.
//
// Concurrency: a Policy is safe for concurrent use. The bus calls it from
// each connection's goroutine and the API from each call's. access.conf is
// re-read by the first check that sees its modification time or size
// change (one stat per check of a normal user), under a mutex, and the new
// rules are swapped in atomically: a check reads one version of them.
// Checks read the user database and never block on the bus. docs/access.md
// is the user's reference.
//
// The package does not route messages, parse unit files (units does) or
// run methods (bus/api does); it only answers yes or no, with a reason.
package policy
