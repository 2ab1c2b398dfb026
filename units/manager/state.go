package manager

import "fmt"

// State is a unit's process state in Supervisor's terms. The systemd view of
// the same state (ActiveState and SubState) is derived from it and from the
// unit's last result; see Snapshot.
type State int

const (
	Stopped  State = iota // not running, and not wanted
	Starting              // spawned; waiting for StartSecs, READY=1, or the fork/oneshot exit
	Running               // up and counted as started
	Backoff               // exited while Starting; a retry is scheduled
	Stopping              // KillSignal sent; waiting for the exit (then SIGKILL)
	Exited                // exited while Running; may be restarted by Restart=
	Fatal                 // gave up: StartRetries exhausted, start limit hit, or spawn impossible
	Unknown               // internal error: a transition the table below does not allow
)

var stateNames = [...]string{
	Stopped:  "STOPPED",
	Starting: "STARTING",
	Running:  "RUNNING",
	Backoff:  "BACKOFF",
	Stopping: "STOPPING",
	Exited:   "EXITED",
	Fatal:    "FATAL",
	Unknown:  "UNKNOWN",
}

// String returns Supervisor's name for s: "RUNNING", "BACKOFF", …
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// MarshalText makes a State print as its name in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// transitions is the state machine as data: transitions[from] lists the
// states a unit may move to from there. It is Supervisor 4's table, plus
// Exited → Stopped (a stop cancels a pending automatic restart), Starting →
// Fatal (spawn impossible or start limit hit with no retry left) and
// Stopped/Exited/Fatal → Fatal (the start rate limit refuses a start).
var transitions = [...][]State{
	Stopped:  {Starting, Fatal},
	Starting: {Running, Backoff, Stopping, Exited, Fatal},
	Running:  {Stopping, Exited},
	Backoff:  {Starting, Fatal, Stopped},
	Stopping: {Stopped},
	Exited:   {Starting, Stopped, Fatal},
	Fatal:    {Starting, Stopped},
	Unknown:  {Stopped},
}

// CanMove reports whether the state machine allows from → to.
func CanMove(from, to State) bool {
	if from < 0 || int(from) >= len(transitions) {
		return false
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Result is systemd's Result property of a service: why it last became
// inactive or failed.
type Result string

const (
	ResultSuccess      Result = "success"
	ResultExitCode     Result = "exit-code"
	ResultSignal       Result = "signal"
	ResultCoreDump     Result = "core-dump"
	ResultTimeout      Result = "timeout"
	ResultStartLimit   Result = "start-limit-hit"
	ResultResources    Result = "resources" // the spawn failed: no such program, bad user, …
	ResultProtocol     Result = "protocol"  // Type=forking left no daemon the manager could find
	ResultUnknownState Result = "internal"  // the state machine refused a transition (a bug)
)

// activeState maps a Supervisor state and the last result to systemd's
// ActiveState and SubState. restartPending tells an Exited unit that waits
// for its automatic restart from one that is done.
func activeState(s State, r Result, restartPending bool, killing bool) (active, sub string) {
	switch s {
	case Starting:
		return "activating", "start"
	case Running:
		return "active", "running"
	case Backoff:
		return "activating", "auto-restart"
	case Stopping:
		if killing {
			return "deactivating", "stop-sigkill"
		}
		return "deactivating", "stop-sigterm"
	case Exited:
		if restartPending {
			return "activating", "auto-restart"
		}
		if r == ResultSuccess || r == "" {
			return "inactive", "dead"
		}
		return "failed", "failed"
	case Fatal, Unknown:
		return "failed", "failed"
	}
	if r != ResultSuccess && r != "" {
		return "failed", "failed"
	}
	return "inactive", "dead"
}
