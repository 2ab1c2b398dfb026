//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// svunitSys is svunit: 'svunit daemon' and its CLI, built from the checkout.
type svunitSys struct {
	bin string
}

func (svunitSys) name() string { return colSvunit }
func (svunitSys) api() error   { return nil }

const (
	svunitName    = "io.svunit1"
	svunitManager = "io.svunit1.Manager"
	systemdPath   = dbus.ObjectPath("/org/freedesktop/systemd1")
)

func (s svunitSys) launch(ctx context.Context, dir string, progs []prog) (instance, error) {
	unitDir := filepath.Join(dir, "units")
	if err := s.writeUnits(unitDir, progs); err != nil {
		return nil, err
	}
	bus := filepath.Join(dir, "bus")
	out := filepath.Join(dir, "svunit.out")
	d, err := startDaemon([]string{s.bin, "--units", unitDir, "--bus", bus, "daemon", "--log-dir", filepath.Join(dir, "logs")}, out, nil)
	if err != nil {
		return nil, err
	}
	in := &svInstance{daemon: d, sys: s, bus: bus}
	err = waitFor(ctx, 60*time.Second, 5*time.Millisecond, "svunit daemon to say it is ready", func() (bool, error) {
		if d.hasExited() {
			return false, d.failure()
		}
		b, err := os.ReadFile(out)
		return bytes.Contains(b, []byte("manager ready")), err
	})
	if err != nil {
		in.close()
		return nil, err
	}
	if _, err := os.Stat(bus); err != nil {
		in.noAPI = "needs the D-Bus API in 'svunit daemon' (no bus socket)"
		return in, nil
	}
	if in.conn, err = dialBus(bus); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// writeUnits writes one NAME.unit per prog, with the options Supervisor's
// [program:x] gets.
func (s svunitSys) writeUnits(dir string, progs []prog) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, p := range progs {
		cmd, err := commandLine(p.Argv)
		if err != nil {
			return err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "[Unit]\nDescription=bench program %s\n\n[Service]\nExecStart=%s\nStartSecs=%d\n", p.Name, cmd, p.StartSecs)
		if p.Restart {
			b.WriteString("Restart=always\nRestartSec=0\nRestartSteps=0\n")
		}
		if p.StopWait > 0 {
			fmt.Fprintf(&b, "TimeoutStopSec=%dms\n", p.StopWait.Milliseconds())
		}
		if p.Log != "" {
			fmt.Fprintf(&b, "StandardOutput=append:%s\nLogMaxBytes=%d\nLogBackups=%d\n", p.Log, p.LogMax, p.LogBackups)
		}
		if p.Autostart {
			b.WriteString("\n[Install]\nWantedBy=default.target\n")
		}
		if err := os.WriteFile(filepath.Join(dir, p.Name+".unit"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

type svInstance struct {
	*daemon
	sys   svunitSys
	bus   string
	noAPI string     // why there is no API, when there is none
	conn  *dbus.Conn // nil without API
}

func (s *svInstance) own() ([]proc, error) { return []proc{s.p}, nil }

// dialBus connects to svunit's embedded bus as any D-Bus client does.
func dialBus(path string) (*dbus.Conn, error) {
	c, err := dbus.Dial("unix:path=" + path)
	if err != nil {
		return nil, fmt.Errorf("dial svunit's bus %s: %v", path, err)
	}
	if err := c.Auth(nil); err != nil {
		c.Close()
		return nil, fmt.Errorf("authenticate on svunit's bus %s: %v", path, err)
	}
	if err := c.Hello(); err != nil {
		c.Close()
		return nil, fmt.Errorf("Hello on svunit's bus %s: %v", path, err)
	}
	return c, nil
}

// unitProps is one entry of io.svunit1.Manager.GetUnitsProperties.
type unitProps struct {
	Name  string
	Props map[string]dbus.Variant
}

func (s *svInstance) props(ctx context.Context, patterns, names []string) ([]unitProps, error) {
	if s.conn == nil {
		return nil, na("%s", s.noAPI)
	}
	if patterns == nil {
		patterns = []string{}
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var out []unitProps
	err := s.conn.Object(svunitName, systemdPath).CallWithContext(ctx, svunitManager+".GetUnitsProperties", 0, patterns, names).Store(&out)
	if err != nil {
		return nil, fmt.Errorf("GetUnitsProperties: %v", err)
	}
	return out, nil
}

func (s *svInstance) running(ctx context.Context) (int, error) {
	us, err := s.props(ctx, nil, []string{"SupervisorState"})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range us {
		if u.Props["SupervisorState"].Value() == "RUNNING" {
			n++
		}
	}
	return n, nil
}

func (s *svInstance) cli(ctx context.Context, args ...string) error {
	if s.conn == nil {
		return na("%s", s.noAPI)
	}
	return runTool(ctx, append([]string{s.sys.bin, "--bus", s.bus}, args...), statusExitOK(args)...)
}

// infoProps are the properties that make up what Supervisor's
// getProcessInfo returns.
var infoProps = []string{
	"Id", "Description", "SupervisorState", "ActiveState", "SubState", "MainPID",
	"ExecMainStartTimestamp", "ExecMainExitTimestamp", "ExecMainStatus", "SpawnError",
	"StdoutPath", "StderrPath",
}

func (s *svInstance) info(ctx context.Context, name string) error {
	us, err := s.props(ctx, []string{name}, infoProps)
	if err == nil && len(us) != 1 {
		err = fmt.Errorf("GetUnitsProperties(%s): %d units", name, len(us))
	}
	return err
}

// startStop queues a start and a stop job through io.svunit1 and waits for
// the stop job's JobRemoved: the manager calls it "timeout" when SIGKILL
// was needed; the unit's ExitSignal says the same.
func (s *svInstance) startStop(ctx context.Context, name string) (bool, error) {
	if s.conn == nil {
		return false, na("%s", s.noAPI)
	}
	ch := make(chan *dbus.Signal, 64)
	s.conn.Signal(ch)
	defer s.conn.RemoveSignal(ch)
	match := []dbus.MatchOption{dbus.WithMatchInterface("org.freedesktop.systemd1.Manager"), dbus.WithMatchMember("JobRemoved")}
	if err := s.conn.AddMatchSignalContext(ctx, match...); err != nil {
		return false, fmt.Errorf("AddMatch JobRemoved: %v", err)
	}
	defer s.conn.RemoveMatchSignalContext(context.Background(), match...)
	obj := s.conn.Object(svunitName, systemdPath)
	obj.CallWithContext(ctx, "org.freedesktop.systemd1.Manager.Subscribe", 0) // systemd's clients do; svunit may not need it
	type job struct {
		ID   uint32
		Unit string
		Path dbus.ObjectPath
	}
	var started, stopped []job
	if err := obj.CallWithContext(ctx, svunitManager+".StartUnits", 0, []string{name}).Store(&started); err != nil {
		return false, fmt.Errorf("StartUnits %s: %v", name, err)
	}
	if err := obj.CallWithContext(ctx, svunitManager+".StopUnits", 0, []string{name}).Store(&stopped); err != nil {
		return false, fmt.Errorf("StopUnits %s: %v", name, err)
	}
	if len(stopped) != 1 {
		return false, fmt.Errorf("StopUnits %s: %d jobs, want 1", name, len(stopped))
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case sig := <-ch:
			if sig.Name != "org.freedesktop.systemd1.Manager.JobRemoved" || len(sig.Body) < 4 {
				continue
			}
			if id, _ := sig.Body[0].(uint32); id != stopped[0].ID {
				continue
			}
			result, _ := sig.Body[3].(string)
			us, err := s.props(ctx, []string{name}, []string{"ExitSignal"})
			if err != nil || len(us) != 1 {
				return false, fmt.Errorf("ExitSignal of %s: %v", name, err)
			}
			return result == "timeout" || us[0].Props["ExitSignal"].Value() == int32(9), nil
		case <-timeout:
			return false, fmt.Errorf("no JobRemoved for the stop job of %s within 60s", name)
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

func (s *svInstance) close() error {
	if s.conn != nil {
		s.conn.Close()
	}
	return s.daemon.close()
}
