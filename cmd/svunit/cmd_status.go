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

With arguments, prints each unit in detail: systemd's ActiveState and
SubState, the Supervisor state, main pid, uptime, restarts, last exit,
spawn error, groups, log files, and the last lines of its output.

Exit status, as systemctl status: 0 when every unit shown is active, 3 when
one is not, 4 when a unit or group does not exist, 5 when the daemon cannot
be reached.`,
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
	if len(args) > 0 && lines > 0 {
		for i := range ss {
			ss[i].Logs = c.tail(ctx, &ss[i], lines)
		}
	}
	switch {
	case g.json():
		err = printJSON(ss)
	case len(args) == 0:
		err = printStatusTable(os.Stdout, ss)
	default:
		for i := range ss {
			if i > 0 {
				fmt.Println()
			}
			printStatusDetail(os.Stdout, &ss[i])
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

// span formats d as systemctl does: "3s", "2min 5s", "1h 2min", "3 days 4h".
func span(d time.Duration) string {
	d = d.Round(time.Second)
	switch days := d / (24 * time.Hour); {
	case days == 1:
		return fmt.Sprintf("1 day %dh", d%(24*time.Hour)/time.Hour)
	case days > 1:
		return fmt.Sprintf("%d days %dh", days, d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dmin", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dmin %ds", d/time.Minute, d%time.Minute/time.Second)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// printStatusDetail prints one unit in the style of systemctl status.
func printStatusDetail(w io.Writer, s *unitStatus) {
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
		active += fmt.Sprintf(" since %s; %s ago", s.Since.Local().Format("Mon 2006-01-02 15:04:05 MST"), span(time.Since(s.Since)))
	}
	field(w, "Active", active)
	field(w, "State", s.SupervisorState)
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
	if len(s.Logs) > 0 {
		fmt.Fprintln(w)
		for _, l := range s.Logs {
			fmt.Fprintln(w, l)
		}
	}
}

func field(w io.Writer, name, value string) { fmt.Fprintf(w, "%11s: %s\n", name, value) }

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
