// Command svunit is a process supervisor: Supervisor's model with systemd's
// unit files and D-Bus API. One binary holds the manager (svunit daemon) and
// the client verbs that talk to it.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run parses the global flags and the verb, runs it, and turns its error into
// an exit status (see exitError and docs/cli.md).
func run(argv []string) int {
	g, rest, err := parseGlobals(argv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "svunit: %v\nRun 'svunit help' for usage.\n", err)
		return exitUsage
	}
	if len(rest) == 0 {
		usage(os.Stderr)
		return exitUsage
	}
	cmd := lookup(rest[0])
	if cmd == nil {
		fmt.Fprintf(os.Stderr, "svunit: %v\nRun 'svunit help' for the list of commands.\n", unknownCommand(rest[0]))
		return exitUsage
	}
	if g.hosts != "" && g.viaSSH == "" {
		return runRemote(g, argv, rest) // -H: once per host, in remote.go
	}
	err = cmd.execute(g, rest[1:])
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(os.Stderr, "svunit %s: %v\n", cmd.name, ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(os.Stderr, "svunit %s: %v\n", cmd.name, err)
	return exitFailure
}
