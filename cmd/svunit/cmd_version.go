package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// version is set at link time with -ldflags "-X main.version=…"; otherwise the
// module version recorded by the go command is used.
var version = ""

func init() {
	register(&command{
		name:  "version",
		short: "Print svunit's version",
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return func(g *globals, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected argument %q (version takes none)", args[0])
				}
				v := versionString()
				if g.json() {
					return printJSON(map[string]string{"version": v, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH})
				}
				fmt.Printf("svunit %s (%s, %s/%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return nil
			}
		},
	})
}

// versionString is the link-time version, else the module's, else "devel"
// with the commit it was built from, as the go command recorded it.
func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", ""
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			rev = " " + s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return "devel"
	}
	return "devel" + rev + dirty
}
