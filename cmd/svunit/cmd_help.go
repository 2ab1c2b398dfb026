package main

import (
	"os"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:     "help",
		synopsis: "[COMMAND]",
		short:    "Show the list of commands, or one command's help",
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return func(g *globals, args []string) error {
				if len(args) == 0 {
					usage(os.Stdout)
					return nil
				}
				c := lookup(args[0])
				if c == nil {
					return usageErrorf("%v", unknownCommand(args[0]))
				}
				cfs := pflag.NewFlagSet("svunit "+c.name, pflag.ContinueOnError)
				c.setup(cfs)
				newGlobals().bind(cfs)
				cfs.BoolP("help", "h", false, "show this help")
				c.printHelp(os.Stdout, cfs)
				return nil
			}
		},
	})
}
