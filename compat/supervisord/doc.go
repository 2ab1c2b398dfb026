// Package supervisord converts a Supervisor configuration (supervisord.conf
// and the files its [include] section names) into svunit unit files.
//
// Each [program:x] becomes x.unit, or the template x@.unit with Instances=N
// when numprocs=N; [group:g] becomes Groups=g in its members' units. The
// %(name)s expansions are done as Supervisor does them, except
// %(process_num), which becomes the instance specifier %i in a template.
// Every option without a unit directive is reported with its file and line,
// and a configuration with errors yields no units at all, so nothing is
// converted by half without saying so.
//
// Convert reads files and returns text; it writes nothing and keeps no state,
// so it may be called from any goroutine. It does not run programs, look up
// users, or check that commands exist: 'svunit verify' does that on the
// result.
package supervisord
