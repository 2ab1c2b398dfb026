package manager

import (
	"syscall"
	"time"

	"svunit.dev/svunit/units"
)

// A Snapshot is a unit's state at one instant. It is a value: the manager
// never changes a Snapshot it has handed out, so readers may keep and share it.
type Snapshot struct {
	Unit *units.Unit // the loaded definition (immutable)

	State       State  // Supervisor's state
	ActiveState string // systemd's: active, inactive, failed, activating, deactivating
	SubState    string // systemd's: running, dead, failed, start, auto-restart, stop-sigterm, …
	LoadState   string // "loaded"; "not-found" once removed by a reload
	Result      Result // why the unit last stopped or failed

	MainPID    int      // 0 when no main process runs
	ControlPID int      // the running ExecStartPre/Post/Stop/Reload= process, or 0
	LastExit   ExitInfo // the last exit of the main process
	NRestarts  uint32   // automatic restarts since load or reset-failed
	SpawnError string   // why the last spawn failed, "" when it did not
	StatusText string   // the last STATUS= a notify service sent
	Invocation string   // INVOCATION_ID of the current or last run (32 hex digits)
	// ControlGroup is the cgroup v2 directory the unit's processes run in,
	// "" where the manager uses no cgroups.
	ControlGroup string
	Timestamps   Timestamps
	Description  string // unit's Description, or its name

	// Logs names the unit's log files and says why output is lost, if it
	// is; Manager.LogStatus has the live counters.
	Logs LogInfo
}

// LogInfo describes where a unit's output goes.
type LogInfo struct {
	Stdout, Stderr string // file paths, "" when the sink is not a file
	Error          string // why the unit's output could not be opened, or ""
}

// ExitInfo is how a process ended, in the terms of waitid(2)'s CLD_* codes.
type ExitInfo struct {
	PID    int
	Code   string         // "exited", "killed", "dumped"; "" when nothing exited yet
	Status int            // exit status for "exited"
	Signal syscall.Signal // for "killed" and "dumped"
	Time   Timestamp
}

// Timestamp is a point in time as systemd reports it: wall clock and
// CLOCK_MONOTONIC. A zero Timestamp means "never".
type Timestamp struct {
	Wall time.Time
	Mono time.Duration // since boot (CLOCK_MONOTONIC); 0 where unavailable
}

// IsZero reports whether t is "never".
func (t Timestamp) IsZero() bool { return t.Wall.IsZero() }

// Timestamps are a unit's state-change times, named as systemd's properties.
type Timestamps struct {
	StateChange   Timestamp // any change of State
	ActiveEnter   Timestamp // became active (Running)
	ActiveExit    Timestamp // left active
	InactiveEnter Timestamp // became inactive or failed
	InactiveExit  Timestamp // left inactive (a start began)
	MainStart     Timestamp // the main process was spawned
}

func now() Timestamp { return Timestamp{Wall: time.Now(), Mono: monotonic()} }

// exitInfo decodes a wait status.
func exitInfo(pid int, ws syscall.WaitStatus) ExitInfo {
	e := ExitInfo{PID: pid, Time: now()}
	switch {
	case ws.Exited():
		e.Code, e.Status = "exited", ws.ExitStatus()
	case ws.Signaled() && ws.CoreDump():
		e.Code, e.Signal = "dumped", ws.Signal()
	case ws.Signaled():
		e.Code, e.Signal = "killed", ws.Signal()
	}
	return e
}

// Success reports whether e is a clean exit for u: status 0, a clean signal
// (HUP, INT, TERM, PIPE, as systemd counts them), or one listed in
// SuccessExitStatus.
func (e ExitInfo) Success(u *units.Unit) bool {
	ss := u.Service.SuccessExitStatus
	switch e.Code {
	case "exited":
		return e.Status == 0 || ss.HasCode(e.Status)
	case "killed":
		switch e.Signal {
		case syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE:
			return true
		}
		return ss.HasSignal(e.Signal)
	}
	return e.Code == "dumped" && ss.HasSignal(e.Signal)
}

// result is systemd's Result for an unclean exit e.
func (e ExitInfo) result() Result {
	switch e.Code {
	case "killed":
		return ResultSignal
	case "dumped":
		return ResultCoreDump
	}
	return ResultExitCode
}

// String describes e as "exited 3", "killed by SIGTERM", …
func (e ExitInfo) String() string {
	switch e.Code {
	case "exited":
		return "exited with status " + itoa(e.Status)
	case "killed":
		return "killed by signal " + sigName(e.Signal)
	case "dumped":
		return "dumped core on signal " + sigName(e.Signal)
	}
	return "not exited"
}
