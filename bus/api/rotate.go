package api

// rotateLogs serves io.svunit1.Manager.RotateLogs: it rotates the log files
// of the units the patterns name (names, @groups, globs, "all") now, at a
// line boundary, and returns those units' names. The access verb is "logs"
// (access.go), checked for every unit the patterns resolve to.
func rotateLogs(c *call) ([]any, error) {
	names, err := c.a.resolvePatterns(c.strs(0))
	if err != nil {
		return nil, err
	}
	if err := c.a.m.RotateLogs(names...); err != nil {
		return nil, managerError(err)
	}
	return []any{names}, nil
}
