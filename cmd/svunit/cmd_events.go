package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/pflag"

	"svunit.dev/svunit/bus/api"
)

func init() {
	register(&command{
		name:     "events",
		synopsis: "[UNIT|@GROUP|PATTERN...]",
		short:    "Print state changes and jobs as they happen",
		long: `
Prints one line per event until interrupted (or one JSON object per line
with --output json): a unit's changed properties (ActiveState, SubState,
SupervisorState, MainPID, …), a job queued or finished with its result, a
unit added or removed by reload. With arguments, only the events of the
units they name: a unit (web.unit, or just web), @GROUP, all, or a glob
such as 'worker@*' (quote it). This is Supervisor's event system on D-Bus: any
client can get the same stream with a match rule on svunit's bus.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return func(g *globals, args []string) error {
				if err := checkPatterns(args); err != nil {
					return err
				}
				c, err := g.connect()
				if err != nil {
					return err
				}
				defer c.Close()
				ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
				defer stop()
				return c.streamEvents(ctx, g, args)
			}
		},
	})
}

// An event is one line of 'svunit events'; its JSON form is documented in
// docs/cli.md.
type event struct {
	Time    time.Time      `json:"time"`
	Type    string         `json:"type"` // unit-changed, unit-new, unit-removed, job-new, job-removed
	Unit    string         `json:"unit"`
	Job     uint32         `json:"job,omitempty"`
	Result  string         `json:"result,omitempty"`
	Changes map[string]any `json:"changes,omitempty"`
}

func (c *client) streamEvents(ctx context.Context, g *globals, patterns []string) error {
	filter, err := c.newEventFilter(ctx, g, patterns)
	if err != nil {
		return err
	}
	for _, rule := range [][]dbus.MatchOption{
		{dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged"), dbus.WithMatchPathNamespace("/org/freedesktop/systemd1/unit")},
		{dbus.WithMatchInterface("org.freedesktop.systemd1.Manager"), dbus.WithMatchObjectPath(api.ManagerPath)},
	} {
		if err := c.sig.AddMatchSignal(rule...); err != nil {
			return callError(err)
		}
	}
	ch := make(chan *dbus.Signal, 1024)
	c.sig.Signal(ch)
	// Unit signals flow only to subscribers, as in systemd.
	if err := c.sd.Subscribe(); err != nil {
		return callError(err)
	}
	if !g.quiet && !g.json() {
		fmt.Fprintf(os.Stderr, "Watching %s; Ctrl-C to stop.\n", c.bus)
	}
	for {
		select {
		case s, ok := <-ch:
			if !ok {
				return &exitError{code: exitFailure, err: fmt.Errorf("the svunit daemon went away")}
			}
			e, ok := eventOf(s)
			if !ok || !filter.match(e.Unit) {
				continue
			}
			if err := printEvent(g, &e); err != nil {
				return err
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// eventOf decodes a signal; ok is false for signals events does not show.
func eventOf(s *dbus.Signal) (event, bool) {
	e := event{Time: time.Now()}
	switch s.Name {
	case "org.freedesktop.DBus.Properties.PropertiesChanged":
		name, ok := api.UnitNameFromPath(s.Path)
		changed, _ := s.Body[1].(map[string]dbus.Variant)
		if !ok || len(changed) == 0 {
			return e, false
		}
		e.Type, e.Unit, e.Changes = "unit-changed", name, map[string]any{}
		for k, v := range changed {
			if k == "Job" {
				continue
			}
			e.Changes[k] = v.Value()
		}
		return e, len(e.Changes) > 0
	case "org.freedesktop.systemd1.Manager.UnitNew", "org.freedesktop.systemd1.Manager.UnitRemoved":
		e.Type = "unit-new"
		if strings.HasSuffix(s.Name, "Removed") {
			e.Type = "unit-removed"
		}
		e.Unit, _ = s.Body[0].(string)
	case "org.freedesktop.systemd1.Manager.JobNew":
		e.Type = "job-new"
		e.Job, _ = s.Body[0].(uint32)
		e.Unit, _ = s.Body[2].(string)
	case "org.freedesktop.systemd1.Manager.JobRemoved":
		e.Type = "job-removed"
		e.Job, _ = s.Body[0].(uint32)
		e.Unit, _ = s.Body[2].(string)
		e.Result, _ = s.Body[3].(string)
	default:
		return e, false
	}
	return e, e.Unit != ""
}

// eventTextKeys are the properties the text form shows, in this order.
var eventTextKeys = []string{"SupervisorState", "ActiveState", "SubState", "MainPID", "ExitCode", "ExitSignal", "Result", "SpawnError", "StatusText", "NRestarts"}

func printEvent(g *globals, e *event) error {
	if g.json() {
		return printJSONLine(e)
	}
	line := e.Time.Format("15:04:05.000") + " " + e.Unit + " "
	switch e.Type {
	case "unit-changed":
		var parts []string
		for _, k := range eventTextKeys {
			if v, ok := e.Changes[k]; ok {
				parts = append(parts, fmt.Sprintf("%s=%v", k, v))
			}
		}
		if len(parts) == 0 {
			return nil // only timestamps and the like: JSON shows them
		}
		line += strings.Join(parts, " ")
	case "job-new":
		line += fmt.Sprintf("job %d queued", e.Job)
	case "job-removed":
		line += fmt.Sprintf("job %d %s", e.Job, e.Result)
	default:
		line += strings.TrimPrefix(e.Type, "unit-")
	}
	_, err := fmt.Println(line)
	return err
}

// printJSONLine writes v as one line of JSON, for streams.
func printJSONLine(v any) error {
	return json.NewEncoder(os.Stdout).Encode(v)
}
