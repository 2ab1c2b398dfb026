package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"svunit.dev/svunit/compat"
)

func init() {
	register(&command{
		name:     "generate",
		synopsis: "TARGET [--user] [--name NAME] [--exe PATH]",
		short:    "Print the init-system wrapper that runs the svunit manager",
		long: `Prints, on standard output, the file that makes an init system run
'svunit daemon' in the foreground (or, where the init system needs it, in
the background with a pid file). TARGET is one of:

  rc.d          FreeBSD: /usr/local/etc/rc.d/NAME; enable: NAME_enable="YES"
  openbsd-rc.d  OpenBSD: /etc/rc.d/NAME; enable: rcctl enable NAME
  netbsd-rc.d   NetBSD: /etc/rc.d/NAME; enable: NAME=YES in /etc/rc.conf
  init.d        SysV/LSB: /etc/init.d/NAME (POSIX sh; status exits 0 or 3)
  openrc        OpenRC: /etc/init.d/NAME; enable: rc-update add NAME
  upstart       Upstart: /etc/init/NAME.conf (starts at boot once written)
  launchd       macOS: /Library/LaunchDaemons/NAME.plist
                (--user: ~/Library/LaunchAgents/NAME.plist)
  systemd       /etc/systemd/system/NAME.service
                (--user: ~/.config/systemd/user/NAME.service)

--units and --bus, when given, are passed to the daemon; otherwise it uses
its defaults. Every path is quoted for the target's language; a path the
target cannot represent (a newline in a systemd executable, a space where
rc.subr matches the process list) is refused with an error naming it.
'svunit install-service' writes and enables the same file in one step.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			name := fs.String("name", "svunit", "service name")
			exe := fs.String("exe", "", "path of the svunit binary the wrapper runs (default: this binary)")
			logFile := fs.String("log-file", "", "where the daemon's own output goes, for init.d, netbsd-rc.d, openrc and launchd (default /var/log/NAME.log; launchd --user: ~/Library/Logs/NAME.log)")
			return func(g *globals, args []string) error {
				if len(args) != 1 {
					return usageErrorf("want exactly one target, got %d arguments (see 'svunit generate --help')", len(args))
				}
				t, err := compat.ParseTarget(args[0])
				if err != nil {
					return usageErrorf("%v", err)
				}
				if g.user && !t.SupportsUser() {
					return usageErrorf("%s runs system services only; --user works with launchd and systemd", t)
				}
				o, err := wrapperOptions(g, t, *name, *exe, *logFile)
				if err != nil {
					return err
				}
				out, err := compat.Generate(t, o)
				if err != nil {
					return err
				}
				_, err = os.Stdout.Write(out)
				return err
			}
		},
	})
}

// wrapperOptions turns the command line into compat.Options: the executable
// defaults to this binary, and paths become absolute since an init system
// does not run in the user's working directory.
func wrapperOptions(g *globals, t compat.Target, name, exe, logFile string) (compat.Options, error) {
	o := compat.Options{Name: name, User: g.user, Units: g.units, Bus: g.bus, LogFile: logFile}
	if exe == "" {
		self, err := os.Executable()
		if err != nil {
			return o, fmt.Errorf("cannot find this binary's path (%v); pass --exe", err)
		}
		if exe, err = filepath.EvalSymlinks(self); err != nil {
			return o, fmt.Errorf("cannot resolve this binary's path (%v); pass --exe", err)
		}
	}
	o.Executable = exe
	for _, p := range []*string{&o.Executable, &o.Units, &o.Bus, &o.LogFile} {
		if *p != "" {
			abs, err := filepath.Abs(*p)
			if err != nil {
				return o, err
			}
			*p = abs
		}
	}
	if o.LogFile == "" && o.User && t == compat.Launchd {
		home, err := os.UserHomeDir()
		if err != nil {
			return o, fmt.Errorf("no home directory for the agent's log (%v); pass --log-file", err)
		}
		o.LogFile = filepath.Join(home, "Library", "Logs", name+".log")
	}
	return o, nil
}
