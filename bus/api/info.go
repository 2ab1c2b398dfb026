package api

import (
	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units"
)

// unitInfo is what the API shows of one unit at one moment: built from a
// manager snapshot by the adapter in backend.go, read by the property
// tables. It is a value; nobody mutates one after it is built.
type unitInfo struct {
	Name    string
	Aliases []string
	Unit    *units.Unit // the loaded configuration; nil for a unit that is not found

	LoadState     string // "loaded", "not-found", "error"
	LoadError     string
	ActiveState   string // systemd's: active, reloading, inactive, failed, activating, deactivating
	SubState      string // running, exited, dead, failed, auto-restart, start, stop-sigterm…
	UnitFileState string // enabled, disabled
	SvState       string // Supervisor's: STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, EXITED, FATAL, UNKNOWN
	Result        string // success, exit-code, signal, core-dump, timeout, start-limit-hit, resources
	StatusText    string
	SpawnError    string

	MainPID    uint32
	ExecPID    uint32 // pid of the last main process, even after it exited
	ExecCode   int32  // CLD_EXITED (1), CLD_KILLED (2), CLD_DUMPED (3); 0 = never exited
	ExecStatus int32  // exit status, or signal number
	NRestarts  uint32

	ExecStart, ExecExit                  stamp
	StateChange, ActiveEnter, ActiveExit stamp
	InactiveEnter, InactiveExit          stamp
	JobID                                uint32
	JobType                              string
	StdoutPath, StderrPath               string
	ControlGroup                         string      // below the cgroup root, as systemd's; "" without a cgroup
	LogStatus                            []LogStream // filled by addLogStatus, for reads only
}

// A stamp is one systemd-style timestamp pair: µs since the epoch and µs of
// CLOCK_MONOTONIC; zero for "never".
type stamp struct{ Wall, Mono uint64 }

// jobRef is the (uo) pair of the Job property.
type jobRef struct {
	ID   uint32
	Path dbus.ObjectPath
}

func (u *unitInfo) job() jobRef {
	if u.JobID == 0 {
		return jobRef{0, "/"}
	}
	return jobRef{u.JobID, JobPath(u.JobID)}
}

// names returns the unit's name followed by its aliases.
func (u *unitInfo) names() []string {
	return append([]string{u.Name}, u.Aliases...)
}

// notFound is what systemd shows for a name that matches no unit: clients
// such as systemctl status ask for its properties and print "could not be
// found" when LoadState says so.
func notFound(name string) unitInfo {
	return unitInfo{Name: name, LoadState: "not-found", ActiveState: "inactive", SubState: "dead",
		UnitFileState: "", SvState: "UNKNOWN", Result: "success",
		LoadError: "Unit " + name + " not found."}
}
