package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// unitStatus is what status, list and the job verbs show of a unit; its JSON
// form is part of the CLI's contract (docs/cli.md).
type unitStatus struct {
	Name            string    `json:"unit"`
	Description     string    `json:"description"`
	LoadState       string    `json:"load_state"`
	ActiveState     string    `json:"active_state"`
	SubState        string    `json:"sub_state"`
	SupervisorState string    `json:"state"`
	Enabled         bool      `json:"enabled"`
	MainPID         uint32    `json:"pid,omitempty"`
	Since           time.Time `json:"since,omitzero"`           // entered the current ActiveState
	Uptime          float64   `json:"uptime_seconds,omitempty"` // seconds active, when active
	LastExit        string    `json:"last_exit,omitempty"`      // "exited with status 3", "killed by SIGKILL"
	ExitTime        time.Time `json:"last_exit_time,omitzero"`
	Result          string    `json:"result"`
	SpawnError      string    `json:"spawn_error,omitempty"`
	StatusText      string    `json:"status_text,omitempty"`
	Restarts        uint32    `json:"restarts"`
	Groups          []string  `json:"groups,omitempty"`
	Path            string    `json:"path,omitempty"`
	Stdout          string    `json:"stdout_log,omitempty"`
	Stderr          string    `json:"stderr_log,omitempty"`
	Logs            []string  `json:"log,omitempty"` // status UNIT: the last lines of its output
}

// statusProps are the properties unitStatus is built from.
var statusProps = []string{
	"Id", "Description", "LoadState", "ActiveState", "SubState", "SupervisorState", "Enabled",
	"MainPID", "StateChangeTimestamp", "ActiveEnterTimestamp", "ExecMainCode", "ExecMainStatus",
	"ExecMainExitTimestamp", "Result", "SpawnError", "StatusText", "NRestarts", "Groups",
	"FragmentPath", "StdoutPath", "StderrPath",
}

// unitProps is one a(sa{sv}) entry of io.svunit1.Manager.GetUnitsProperties.
type unitProps struct {
	Name  string
	Props map[string]dbus.Variant
}

// statuses fetches the status of the units patterns name (all when none)
// in one call.
func (c *client) statuses(ctx context.Context, patterns []string) ([]unitStatus, error) {
	var raw []unitProps
	if patterns == nil {
		patterns = []string{}
	}
	if err := c.svunit(ctx, "GetUnitsProperties", []any{&raw}, patterns, statusProps); err != nil {
		return nil, err
	}
	out := make([]unitStatus, len(raw))
	for i, r := range raw {
		out[i] = statusOf(r.Props)
	}
	return out, nil
}

// statusOf decodes the properties; a missing or mistyped one stays zero.
func statusOf(p map[string]dbus.Variant) unitStatus {
	s := unitStatus{
		Name: str(p, "Id"), Description: str(p, "Description"), LoadState: str(p, "LoadState"),
		ActiveState: str(p, "ActiveState"), SubState: str(p, "SubState"),
		SupervisorState: str(p, "SupervisorState"), Result: str(p, "Result"),
		SpawnError: str(p, "SpawnError"), StatusText: str(p, "StatusText"),
		Path: str(p, "FragmentPath"), Stdout: str(p, "StdoutPath"), Stderr: str(p, "StderrPath"),
	}
	s.Enabled, _ = p["Enabled"].Value().(bool)
	s.MainPID, _ = p["MainPID"].Value().(uint32)
	s.Restarts, _ = p["NRestarts"].Value().(uint32)
	s.Groups, _ = p["Groups"].Value().([]string)
	s.Since = usecTime(p, "StateChangeTimestamp")
	if s.ActiveState == "active" {
		if t := usecTime(p, "ActiveEnterTimestamp"); !t.IsZero() {
			s.Since = t
			s.Uptime = time.Since(t).Round(time.Second).Seconds()
		}
	}
	code, _ := p["ExecMainCode"].Value().(int32)
	status, _ := p["ExecMainStatus"].Value().(int32)
	s.LastExit = describeExit(code, status)
	if s.LastExit != "" {
		s.ExitTime = usecTime(p, "ExecMainExitTimestamp")
	}
	return s
}

func str(p map[string]dbus.Variant, name string) string {
	s, _ := p[name].Value().(string)
	return s
}

func usecTime(p map[string]dbus.Variant, name string) time.Time {
	us, _ := p[name].Value().(uint64)
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
	if name := unix.SignalName(unixSignal(n)); name != "" {
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
