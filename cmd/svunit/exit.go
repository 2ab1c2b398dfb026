package main

import "fmt"

// Exit statuses follow systemctl's (see docs/cli.md).
const (
	exitFailure    = 1 // the operation failed
	exitUsage      = 2 // bad command line
	exitNotRunning = 3 // status: a unit is not active
	exitNoSuchUnit = 4 // no such unit
	exitNotLoaded  = 5 // unit not loaded / manager not reachable
)

// exitError carries the exit status a verb wants; err may be nil when the
// verb has already printed what went wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCode returns an error that only sets the exit status.
func exitCode(code int) error { return &exitError{code: code} }
