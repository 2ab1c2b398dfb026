package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"svunit.dev/svunit/units"
	"svunit.dev/svunit/units/manager"
)

func init() {
	register(&command{
		name:     "daemon",
		synopsis: "[--units DIR] [--log-dir DIR] [--user|--system]",
		short:    "Run the manager in the foreground",
		long: `
Loads the units of the unit directory (bad units are reported with file:line
and skipped), starts the enabled ones (those with [Install] WantedBy=) in
start order, and supervises them until it is told to stop. It prints one
line when it is ready.

Signals:
  SIGTERM, SIGINT  stop every unit in reverse start order, in parallel inside
                   each layer, then exit 0; a second signal kills what is left
  SIGHUP           reload: re-read the units and apply the difference
                   (added start if enabled, removed stop, changed restart if
                   running, the rest untouched), and reopen the log files

Paths (flag, then environment, then default):
  units    --units, $SVUNIT_UNITS     /etc/svunit/units (root) or
                                      $XDG_CONFIG_HOME/svunit/units
  logs     --log-dir, $SVUNIT_LOG_DIR /var/log/svunit (root) or
                                      $XDG_STATE_HOME/svunit/log
  bus      --bus, $SVUNIT_BUS         /run/svunit/bus (root) or
                                      $XDG_RUNTIME_DIR/svunit/bus
A unit directory named by --units or $SVUNIT_UNITS must exist; the default
one is created on the first start.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			logDir := fs.String("log-dir", "", "directory for the units' default log files")
			bindDaemonBusFlags(fs)    // --join, in daemon_bus.go
			bindDaemonAccessFlags(fs) // --access, --bus-group, in daemon_access.go
			return func(g *globals, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected argument %q (daemon takes only flags)", args[0])
				}
				p := g.paths()
				p.LogDir = pick(*logDir, p.LogDir)
				if err := unitDir(g, p.Units); err != nil {
					return err
				}
				return runDaemon(g, p)
			}
		},
	})
}

// unitDir checks the unit directory before the manager starts. One named
// by --units or $SVUNIT_UNITS must exist: a typo there would otherwise run a
// manager with no units. The default one is created when missing, so that a
// first start needs no set-up.
func unitDir(g *globals, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return usageErrorf("unit directory %s is not a directory (point --units at the directory of your unit files)", dir)
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("unit directory: %v", err)
	case g.units != "":
		return usageErrorf("--units %s: no such directory (create it, or point --units at the directory of your unit files)", dir)
	case os.Getenv("SVUNIT_UNITS") != "":
		return usageErrorf("$SVUNIT_UNITS=%s: no such directory (create it, or point SVUNIT_UNITS at the directory of your unit files)", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create the unit directory: %v (create it by hand, or pass --units DIR)", err)
	}
	if !g.quiet {
		fmt.Fprintf(os.Stderr, "svunit: created the unit directory %s: put unit files there, then run 'svunit reload'\n", dir)
	}
	return nil
}

// runDaemon runs the manager until SIGTERM or SIGINT.
func runDaemon(g *globals, p paths) error {
	logger := log.New(os.Stderr, "svunit: ", 0)
	if err := os.MkdirAll(p.LogDir, 0o755); err != nil {
		return fmt.Errorf("log directory: %v (create it or pass --log-dir)", err)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	da, err := newDaemonAccess(p, logger.Printf)
	if err != nil {
		return err
	}
	m, err := manager.New(manager.Config{UnitDir: p.Units, LogDir: p.LogDir, Logf: logger.Printf, Load: da.load(), Settled: startMemoryTrimmer(quietBeforeTrim).Trim})
	if err != nil {
		return err
	}
	stopBus, err := serveBus(m, p, da)
	if err != nil {
		m.Shutdown(context.Background())
		return err
	}
	defer stopBus()
	m.Boot()
	if !g.quiet {
		fmt.Printf("svunit: manager ready: %d units from %s, logs in %s, pid %d\n", len(m.Set().Units()), p.Units, p.LogDir, os.Getpid())
	}
	for sig := range sigs {
		if sig == syscall.SIGHUP {
			reload(m, logger)
			continue
		}
		logger.Printf("%v: stopping every unit", sig)
		return shutdown(m, sigs, logger)
	}
	return nil
}

func reload(m *manager.Manager, logger *log.Logger) {
	rep, err := m.Reload()
	if err != nil {
		logger.Printf("reload: %v", err)
		return
	}
	logger.Printf("reload: %d added, %d removed, %d changed, %d unchanged",
		len(rep.Added), len(rep.Removed), len(rep.Changed), len(rep.Unchanged))
}

// shutdown stops the units within the largest TimeoutStopSec (plus slack);
// another signal, or that deadline, kills what is left.
func shutdown(m *manager.Manager, sigs <-chan os.Signal, logger *log.Logger) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if d, ok := longestStop(m.Set().Units()); ok {
		var c2 context.CancelFunc
		ctx, c2 = context.WithTimeout(ctx, d+5*time.Second)
		defer c2()
	}
	go func() {
		select {
		case <-sigs:
			logger.Printf("second signal: killing what is left")
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := m.Shutdown(ctx); err != nil {
		logger.Printf("%v", err)
	}
	return nil
}

// longestStop returns the largest TimeoutStopSec, and false when one is
// infinite (then only a second signal forces the end).
func longestStop(us []*units.Unit) (time.Duration, bool) {
	var d time.Duration
	for _, u := range us {
		t := u.Service.TimeoutStopSec
		if t == units.Infinity {
			return 0, false
		}
		d = max(d, t)
	}
	return d, true
}
