package main

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"svunit.dev/svunit/bus/api"
)

// unitStatus is what status, list and the job verbs show of a unit; its JSON
// form is part of the CLI's contract (docs/cli.md).
type unitStatus struct {
	Name            string            `json:"unit"`
	Description     string            `json:"description"`
	LoadState       string            `json:"load_state"`
	ActiveState     string            `json:"active_state"`
	SubState        string            `json:"sub_state"`
	SupervisorState string            `json:"state"`
	Enabled         bool              `json:"enabled"`
	MainPID         uint32            `json:"pid,omitempty"`
	Since           time.Time         `json:"since,omitzero"`           // entered the current ActiveState
	Uptime          float64           `json:"uptime_seconds,omitempty"` // seconds active, when active
	LastExit        string            `json:"last_exit,omitempty"`      // "exited with status 3", "killed by SIGKILL"
	ExitTime        time.Time         `json:"last_exit_time,omitzero"`
	Result          string            `json:"result"`
	SpawnError      string            `json:"spawn_error,omitempty"`
	StatusText      string            `json:"status_text,omitempty"`
	Restarts        uint32            `json:"restarts"`
	Groups          []string          `json:"groups,omitempty"`
	Path            string            `json:"path,omitempty"`
	Stdout          string            `json:"stdout_log,omitempty"`
	Stderr          string            `json:"stderr_log,omitempty"`
	LogStatus       []logStreamStatus `json:"log_status"`          // how capturing each stream fares; [] when output goes nowhere
	Logs            []string          `json:"log,omitempty"`       // status UNIT: the last lines of its output
	CGroup          string            `json:"cgroup,omitempty"`    // status UNIT: its ControlGroup, when it runs in one
	Processes       []unitProcess     `json:"processes,omitempty"` // status UNIT: its processes, from the cgroup or its process groups
}

// unitProcess is one process of a unit.
type unitProcess struct {
	PID     uint32 `json:"pid"`
	Cmdline string `json:"cmdline"`
}

// logStreamStatus is one stream's capture: where it goes, what was
// written and dropped, and why (io.svunit1.Unit's LogStatus).
type logStreamStatus struct {
	Stream        string    `json:"stream"`
	Sink          string    `json:"sink"`
	Written       uint64    `json:"written_bytes"`
	Dropped       uint64    `json:"dropped_bytes"`
	Error         string    `json:"error,omitempty"`      // failing now
	LastError     string    `json:"last_error,omitempty"` // kept after the sink recovered
	LastErrorTime time.Time `json:"last_error_time,omitzero"`
}

// troubled reports whether the stream lost bytes or its sink failed: what
// the text form of status shows.
func (l *logStreamStatus) troubled() bool { return l.Dropped > 0 || l.LastError != "" }

// describe says in a line what went wrong with the stream.
func (l *logStreamStatus) describe() string {
	var parts []string
	if l.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d bytes dropped", l.Dropped))
	}
	switch {
	case l.Error != "":
		parts = append(parts, "failing: "+l.Error+when(l.LastErrorTime))
	case l.LastError != "":
		parts = append(parts, "recovered from: "+l.LastError+when(l.LastErrorTime))
	}
	return strings.Join(parts, "; ") + " (" + l.Sink + ")"
}

// statuses fetches the status of the units patterns name (all when none)
// in one call.
func (c *client) statuses(ctx context.Context, patterns []string) ([]unitStatus, error) {
	var raw []api.UnitStatus
	if patterns == nil {
		patterns = []string{}
	}
	if err := checkPatterns(patterns); err != nil {
		return nil, err
	}
	if err := c.svunit(ctx, "ListUnitsStatus", []any{&raw}, patterns); err != nil {
		return nil, err
	}
	out := make([]unitStatus, len(raw))
	for i := range raw {
		out[i] = statusOf(&raw[i])
	}
	return out, nil
}

// statusOf converts the daemon's status to the CLI's.
func statusOf(r *api.UnitStatus) unitStatus {
	s := unitStatus{
		Name: r.Id, Description: r.Description, LoadState: r.LoadState,
		ActiveState: r.ActiveState, SubState: r.SubState, SupervisorState: r.SupervisorState,
		Enabled: r.Enabled, MainPID: r.MainPID, Result: r.Result, SpawnError: r.SpawnError,
		StatusText: r.StatusText, Restarts: r.NRestarts, Groups: r.Groups,
		Path: r.FragmentPath, Stdout: r.StdoutPath, Stderr: r.StderrPath,
		Since: usecTime(r.StateChangeTimestamp), LogStatus: []logStreamStatus{},
	}
	for _, l := range r.LogStatus {
		s.LogStatus = append(s.LogStatus, logStreamStatus{
			Stream: l.Stream, Sink: l.Sink, Written: l.Written, Dropped: l.Dropped,
			Error: l.Error, LastError: l.LastError, LastErrorTime: usecTime(l.LastErrorTimestamp),
		})
	}
	if s.ActiveState == "active" {
		if t := usecTime(r.ActiveEnterTimestamp); !t.IsZero() {
			s.Since = t
			s.Uptime = time.Since(t).Round(time.Second).Seconds()
		}
	}
	s.LastExit = describeExit(r.ExecMainCode, r.ExecMainStatus)
	if s.LastExit != "" {
		s.ExitTime = usecTime(r.ExecMainExitTimestamp)
	}
	return s
}

// usecTime converts a systemd timestamp (µs since the epoch; 0 and
// UINT64_MAX mean never) to a time.
func usecTime(us uint64) time.Time {
	if us == 0 || us == ^uint64(0) {
		return time.Time{}
	}
	return time.UnixMicro(int64(us))
}

// describeExit says how the main process last ended, from ExecMainCode
// (waitid's CLD_EXITED, CLD_KILLED, CLD_DUMPED) and ExecMainStatus.
func describeExit(code, status int32) string {
	switch code {
	case 1:
		return fmt.Sprintf("exited with status %d", status)
	case 2:
		return "killed by " + signalName(status)
	case 3:
		return "dumped core on " + signalName(status)
	}
	return ""
}

func signalName(n int32) string {
	if name := unix.SignalName(syscall.Signal(n)); name != "" {
		return name
	}
	return fmt.Sprintf("signal %d", n)
}

// whyFailed describes why unit's last job failed, from its state.
func (c *client) whyFailed(unit string) string {
	ss, err := c.statuses(context.Background(), []string{unit})
	if err != nil || len(ss) != 1 {
		return ""
	}
	s := ss[0]
	var parts []string
	if s.SpawnError != "" {
		parts = append(parts, s.SpawnError)
	}
	if s.LastExit != "" && s.SpawnError == "" {
		parts = append(parts, s.LastExit)
	}
	if s.SupervisorState != "" && s.SupervisorState != "STOPPED" {
		parts = append(parts, "now "+s.SupervisorState)
	}
	return strings.Join(parts, ", ")
}
