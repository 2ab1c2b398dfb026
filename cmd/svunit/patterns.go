package main

import (
	"path"
	"strings"
)

// checkPatterns refuses a malformed glob among args before the daemon is
// asked, as a usage error (exit 2) that says how globs are written.
func checkPatterns(args []string) error {
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			continue
		}
		if _, err := path.Match(a, ""); err != nil {
			return usageErrorf("bad pattern %q: %v (a shell glob: * matches any letters, ? one letter, [abc] one of a, b, c; close every '[', escape a literal one as '\\[', and quote the pattern)", a, err)
		}
	}
	return nil
}

// noSuchUnitHint is added to the daemon's word that a unit does not exist:
// the usual causes are a typo and a unit file added since the last reload.
const noSuchUnitHint = "; 'svunit list' with no argument shows every unit the daemon has loaded, and 'svunit reload' loads new unit files"

// withNoSuchUnitHint adds noSuchUnitHint to msg unless msg already says
// what to do: a near name, or how a unit joins a group.
func withNoSuchUnitHint(msg string) string {
	if strings.HasPrefix(msg, "no group ") || strings.Contains(msg, "did you mean") {
		return msg
	}
	return msg + noSuchUnitHint
}
