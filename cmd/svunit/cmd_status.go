package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"svunit.dev/svunit/bus/api"
)

func init() {
	register(&command{
		name:     "status",
		synopsis: "[-n LINES] [UNIT|@GROUP|PATTERN|all...]",
		short:    "Show units' state, pid, uptime and last exit",
		long: `
With no argument, prints one line per unit, as supervisorctl status does:
its Supervisor state (STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, EXITED,
FATAL), then the pid and uptime of a running unit, or how it last ended.

With arguments, prints each unit in detail, as systemctl status does:
systemd's ActiveState and SubState since when and how long ago, the
Supervisor state with its uptime, main pid, restarts, last exit, spawn
error, groups, log files, the unit's cgroup with its processes, and the
last lines of its output.

Exit status, as systemctl status: 0 when every unit shown is active, 3 when
one is not, 4 when a unit or group does not exist, 5 when the daemon cannot
be reached. With -q nothing is printed but errors: the exit status alone
answers, as with systemctl is-active --quiet.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			lines := fs.IntP("lines", "n", 10, "lines of output to show per unit with arguments")
			return func(g *globals, args []string) error {
				if *lines < 0 {
					return usageErrorf("--lines %d: want 0 or more", *lines)
				}
				return runStatus(g, args, *lines)
			}
		},
	})
}

func runStatus(g *globals, args []string, lines int) error {
	c, err := g.connect()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	ss, err := c.statuses(ctx, args)
	if err != nil {
		if isNoSuchUnit(err) {
			return &exitError{code: exitNoSuchUnit, err: err}
		}
		return err
	}
	if len(args) > 0 && !g.quiet {
		for i := range ss {
			if lines > 0 {
				ss[i].Logs = c.tail(ctx, &ss[i], lines)
			}
			ss[i].CGroup, ss[i].Processes = c.processes(ctx, ss[i].Name)
		}
	}
	switch {
	case g.quiet:
	case g.json():
		err = printJSON(ss)
	case len(args) == 0:
		err = printStatusTable(os.Stdout, ss)
	default:
		for i := range ss {
			if i > 0 {
				fmt.Println()
			}
			printStatusDetail(os.Stdout, &ss[i], time.Now())
		}
	}
	if err != nil {
		return err
	}
	for _, s := range ss {
		if s.ActiveState != "active" {
			return exitCode(exitNotRunning)
		}
	}
	return nil
}

// tail returns the last n lines of s's output through the daemon, which
// can read log files this user may not; stderr follows stdout when it has
// a file of its own.
func (c *client) tail(ctx context.Context, s *unitStatus, n int) []string {
	var out []string
	for _, stream := range []string{"stdout", "stderr"} {
		if stream == "stderr" && (s.Stderr == "" || s.Stderr == s.Stdout) {
			continue
		}
		lines, err := c.tailLog(ctx, s.Name, stream, n)
		if err != nil {
			continue
		}
		out = append(out, lines...)
	}
	return out
}

// processes returns the cgroup of unit (its ControlGroup, "" when it runs in
// none) and its processes, as the daemon sees them; nothing when it cannot
// say.
func (c *client) processes(ctx context.Context, unit string) (string, []unitProcess) {
	var raw []struct {
		Group   string
		PID     uint32
		Cmdline string
	}
	call := c.call.Object(api.SystemdName, api.ManagerPath).CallWithContext(ctx, "org.freedesktop.systemd1.Manager.GetUnitProcesses", 0, unit)
	if call.Err != nil || call.Store(&raw) != nil || len(raw) == 0 {
		return "", nil
	}
	var cgroup string
	if p, err := c.sd.GetUnitTypePropertyContext(ctx, unit, "Service", "ControlGroup"); err == nil {
		cgroup, _ = p.Value.Value().(string)
	}
	procs := make([]unitProcess, len(raw))
	for i, r := range raw {
		procs[i] = unitProcess{PID: r.PID, Cmdline: r.Cmdline}
	}
	return cgroup, procs
}

// printStatusTable prints one line per unit, as supervisorctl status.
func printStatusTable(w io.Writer, ss []unitStatus) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for i := range ss {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", ss[i].Name, ss[i].SupervisorState, summary(&ss[i]))
	}
	return tw.Flush()
}

// summary is supervisorctl's description column: pid and uptime when
// running, else how and when it last ended, or its spawn error.
func summary(s *unitStatus) string {
	switch {
	case s.SpawnError != "":
		return s.SpawnError
	case s.MainPID != 0 && s.ActiveState == "active":
		return fmt.Sprintf("pid %d, uptime %s", s.MainPID, uptime(time.Duration(s.Uptime)*time.Second))
	case s.MainPID != 0:
		return fmt.Sprintf("pid %d", s.MainPID)
	case s.LastExit != "" && !s.ExitTime.IsZero():
		return fmt.Sprintf("%s, %s", s.LastExit, s.ExitTime.Local().Format("Jan 02 03:04 PM"))
	case s.LastExit != "":
		return s.LastExit
	}
	return "Not started"
}

// uptime formats d as supervisorctl does: "1:02:03", or "2 days, 1:02:03".
func uptime(d time.Duration) string {
	d = d.Round(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := fmt.Sprintf("%d:%02d:%02d", d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	switch {
	case days == 1:
		return "1 day, " + s
	case days > 1:
		return fmt.Sprintf("%d days, %s", days, s)
	}
	return s
}

// ago says how long ago t was as systemctl does: "3min 12s ago", "2h ago",
// "1 day 4h ago", "3 weeks 2 days ago"; "left" for a time still to come.
func ago(t, now time.Time) string {
	d, suffix := now.Sub(t), "ago"
	if d < 0 {
		d, suffix = -d, "left"
	}
	if d == 0 {
		return "now"
	}
	return relative(d) + " " + suffix
}

// Calendar units as systemd counts them for relative times.
const (
	day   = 24 * time.Hour
	week  = 7 * day
	month = 2629800 * time.Second  // 30.44 days
	year  = 31557600 * time.Second // 365.25 days
)

// relative formats d with systemd's precision, which falls as d grows:
// two units up to an hour ("4min 5s", "1h 2min"), one within a day.
func relative(d time.Duration) string {
	switch {
	case d >= year:
		return count(d/year, "year", "years") + " " + count(d%year/month, "month", "months")
	case d >= month:
		return count(d/month, "month", "months") + " " + count(d%month/day, "day", "days")
	case d >= week:
		return count(d/week, "week", "weeks") + " " + count(d%week/day, "day", "days")
	case d >= 2*day:
		return fmt.Sprintf("%d days", d/day)
	case d >= 25*time.Hour:
		return fmt.Sprintf("1 day %dh", (d-day)/time.Hour)
	case d >= 6*time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dmin", d/time.Hour, d%time.Hour/time.Minute)
	case d >= 5*time.Minute:
		return fmt.Sprintf("%dmin", d/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dmin %ds", d/time.Minute, d%time.Minute/time.Second)
	case d >= time.Second:
		return fmt.Sprintf("%ds", d/time.Second)
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	}
	return fmt.Sprintf("%dus", d/time.Microsecond)
}

func count(n time.Duration, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// printStatusDetail prints one unit in the style of systemctl status, with
// times relative to now.
func printStatusDetail(w io.Writer, s *unitStatus, now time.Time) {
	fmt.Fprintf(w, "%s %s", dot(s), s.Name)
	if s.Description != "" {
		fmt.Fprintf(w, " - %s", s.Description)
	}
	fmt.Fprintln(w)
	enabled := "disabled"
	if s.Enabled {
		enabled = "enabled"
	}
	field(w, "Loaded", fmt.Sprintf("%s (%s; %s)", s.LoadState, s.Path, enabled))
	active := fmt.Sprintf("%s (%s)", s.ActiveState, s.SubState)
	if !s.Since.IsZero() {
		active += fmt.Sprintf(" since %s; %s", s.Since.Local().Format("Mon 2006-01-02 15:04:05 MST"), ago(s.Since, now))
	}
	field(w, "Active", active)
	state := s.SupervisorState
	if s.MainPID != 0 && s.ActiveState == "active" {
		state += fmt.Sprintf(" (pid %d, uptime %s)", s.MainPID, uptime(now.Sub(s.Since))) // supervisorctl's words
	}
	field(w, "State", state)
	if s.MainPID != 0 {
		field(w, "Main PID", fmt.Sprint(s.MainPID))
	}
	if s.LastExit != "" {
		field(w, "Last exit", s.LastExit+when(s.ExitTime))
	}
	if s.SpawnError != "" {
		field(w, "Error", s.SpawnError)
	}
	if s.StatusText != "" {
		field(w, "Status", fmt.Sprintf("%q", s.StatusText))
	}
	field(w, "Restarts", fmt.Sprint(s.Restarts))
	if len(s.Groups) > 0 {
		field(w, "Groups", "@"+strings.Join(s.Groups, " @"))
	}
	if s.Stdout != "" {
		field(w, "Log", logFiles(s))
	}
	for i := range s.LogStatus {
		if l := &s.LogStatus[i]; l.troubled() {
			field(w, "Log "+l.Stream, l.describe())
		}
	}
	printProcesses(w, s)
	if len(s.Logs) > 0 {
		fmt.Fprintln(w)
		for _, l := range s.Logs {
			fmt.Fprintln(w, l)
		}
	}
}

func field(w io.Writer, name, value string) { fmt.Fprintf(w, "%11s: %s\n", name, value) }

// printProcesses draws the unit's processes under its cgroup as systemctl
// does; a unit in no cgroup shows the processes svunit knows of.
func printProcesses(w io.Writer, s *unitStatus) {
	if len(s.Processes) == 0 {
		return
	}
	switch {
	case s.CGroup != "":
		field(w, "CGroup", s.CGroup)
	case s.MainPID != 0:
		field(w, "CGroup", fmt.Sprintf("none (process group %d)", s.MainPID))
	default:
		field(w, "CGroup", "none")
	}
	for i, p := range s.Processes {
		branch := "├─"
		if i == len(s.Processes)-1 {
			branch = "└─"
		}
		fmt.Fprintf(w, "%13s%s%d %s\n", "", branch, p.PID, p.Cmdline)
	}
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " at " + t.Local().Format("2006-01-02 15:04:05")
}

func logFiles(s *unitStatus) string {
	if s.Stderr != "" && s.Stderr != s.Stdout {
		return s.Stdout + " (stderr: " + s.Stderr + ")"
	}
	return s.Stdout
}

// dot is systemctl's state marker: ● active, × failed, ○ otherwise.
func dot(s *unitStatus) string {
	switch s.ActiveState {
	case "active", "reloading", "activating", "deactivating":
		return "●"
	case "failed":
		return "×"
	}
	return "○"
}
