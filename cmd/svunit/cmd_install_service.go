package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/pflag"
	"svunit.dev/svunit/compat"
	"svunit.dev/svunit/compat/service"
)

// serviceFlags are the flags the three service verbs share.
type serviceFlags struct {
	name, exe, logFile, backend string
}

func (f *serviceFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.name, "name", "svunit", "service name")
	fs.StringVar(&f.exe, "exe", "", "path of the svunit binary the service runs (default: this binary)")
	fs.StringVar(&f.logFile, "log-file", "", "where the daemon's own output goes, where the init system does not keep it (default /var/log/NAME.log)")
	fs.StringVar(&f.backend, "backend", "", "init system: systemd, init.d, openrc, upstart, launchd, rc.d, openbsd-rc.d, netbsd-rc.d (default: detected)")
}

// service builds the service the flags describe.
func (f *serviceFlags) service(g *globals) (*service.Service, error) {
	// The target only decides the default log file of a launchd agent;
	// service.New picks the backend itself.
	target := compat.Target(f.backend)
	if f.backend != "" {
		if _, err := compat.ParseTarget(f.backend); err != nil {
			return nil, usageErrorf("--backend: %v (or leave it out to detect the init system)", err)
		}
	}
	if target == "" && runtime.GOOS == "darwin" {
		target = compat.Launchd
	}
	o, err := wrapperOptions(g, target, f.name, f.exe, f.logFile)
	if err != nil {
		return nil, err
	}
	return service.New(service.Config{Options: o, Backend: f.backend})
}

const serviceLong = `The init system is detected (systemd, SysV init.d, OpenRC, Upstart,
launchd, FreeBSD rc.d through kardianos/service; OpenBSD and NetBSD rc.d by
svunit itself) unless --backend names one.`

// hideInstallFlags hides the flags that only shape the file install-service
// writes; the other service verbs still accept them, so that a script may
// pass the same flags to all three.
func hideInstallFlags(fs *pflag.FlagSet) {
	fs.MarkHidden("exe")
	fs.MarkHidden("log-file")
}

// serviceVerb returns the setup of a service verb: it binds the shared
// flags (and any extra ones, through more), refuses arguments, builds the
// service and hands it to do.
func serviceVerb(more func(*pflag.FlagSet), do func(*globals, *service.Service) error) func(*pflag.FlagSet) func(*globals, []string) error {
	return func(fs *pflag.FlagSet) func(*globals, []string) error {
		var f serviceFlags
		f.bind(fs)
		if more != nil {
			more(fs)
		}
		return func(g *globals, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected argument %q", args[0])
			}
			s, err := f.service(g)
			if err != nil {
				return err
			}
			return do(g, s)
		}
	}
}

// say prints a line unless -q was given.
func say(g *globals, format string, args ...any) {
	if !g.quiet {
		fmt.Printf(format, args...)
	}
}

func init() {
	var dry bool
	register(&command{
		name:     "install-service",
		synopsis: "[--user] [--dry-run] [--name NAME] [flags]",
		short:    "Run the manager at boot: install it in the init system",
		long: `Writes the wrapper that runs 'svunit daemon' where the init system looks
for it and enables it, so the manager starts at boot (or, with --user, at
login, for systemd and launchd). It does not start it now. An existing file
is never replaced: run uninstall-service first.

` + serviceLong + ` The file installed is exactly what
'svunit generate TARGET' prints with the same flags. --units and --bus, when
given, are passed to the daemon.

--dry-run prints what would be written where, and the commands that would
run, without changing anything.`,
		setup: serviceVerb(func(fs *pflag.FlagSet) {
			fs.BoolVar(&dry, "dry-run", false, "print what would be written where; change nothing")
		}, func(g *globals, s *service.Service) error {
			if dry {
				return printPlan(g, s)
			}
			if err := s.Install(); err != nil {
				return err
			}
			say(g, "Installed %s (%s). It starts at boot; start it now with your init system.\n", s.Files()[0], s.Target())
			return nil
		}),
	})
	register(&command{
		name:     "uninstall-service",
		synopsis: "[--user] [--name NAME] [--backend INIT]",
		short:    "Stop and remove the service install-service wrote",
		long: `Stops the manager if it runs, disables the service and removes every file
install-service wrote (for SysV, the init script and its runlevel links).
The unit directory and the logs are left alone.

` + serviceLong,
		setup: serviceVerb(hideInstallFlags, func(g *globals, s *service.Service) error {
			err := s.Uninstall()
			if errors.Is(err, service.ErrNotInstalled) {
				return &exitError{code: exitNoSuchUnit, err: fmt.Errorf("%s does not exist: %w", s.Files()[0], err)}
			}
			if err == nil {
				say(g, "Removed %s (%s).\n", s.Files()[0], s.Target())
			}
			return err
		}),
	})
	register(&command{
		name:     "service-status",
		synopsis: "[--user] [--name NAME] [--backend INIT]",
		short:    "Say whether the svunit service is installed and running",
		long: `Asks the init system about the service install-service wrote.

Exit status: 0 running, 3 installed but stopped, 4 not installed, 1 when the
init system gives no answer.

` + serviceLong,
		setup: serviceVerb(hideInstallFlags, func(g *globals, s *service.Service) error {
			st, err := s.Status()
			if g.json() {
				if err := printJSON(map[string]string{"service": s.Files()[0], "backend": string(s.Target()), "status": string(st)}); err != nil {
					return err
				}
			} else {
				say(g, "%s (%s): %s\n", s.Files()[0], s.Target(), st)
			}
			return statusExit(st, err)
		}),
	})
}

func statusExit(st service.Status, err error) error {
	switch st {
	case service.Running:
		return nil
	case service.Stopped:
		return exitCode(exitNotRunning)
	case service.NotInstalled:
		return exitCode(exitNoSuchUnit)
	}
	return &exitError{code: exitFailure, err: err}
}

// printPlan prints what Install would do.
func printPlan(g *globals, s *service.Service) error {
	wrapper, err := s.Wrapper()
	if err != nil {
		return err
	}
	var cmds []string
	for _, argv := range s.Commands() {
		cmds = append(cmds, strings.Join(argv, " "))
	}
	if g.json() {
		return printJSON(map[string]any{"backend": s.Target(), "files": s.Files(), "commands": cmds, "wrapper": string(wrapper)})
	}
	fmt.Printf("# backend: %s\n# would write: %s\n", s.Target(), strings.Join(s.Files(), ", "))
	for _, c := range cmds {
		fmt.Printf("# would run: %s\n", c)
	}
	fmt.Printf("# --- %s:\n", s.Files()[0])
	_, err = os.Stdout.Write(wrapper)
	return err
}
