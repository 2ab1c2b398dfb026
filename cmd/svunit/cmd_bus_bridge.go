package main

import (
	"fmt"
	"io"
	"net"
	"os"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:   "bus-bridge",
		hidden: true,
		short:  "Join standard input and output to the manager's bus socket",
		long: `
Connects to the local manager's bus socket (see --bus) and copies bytes both
ways: standard input to the bus, the bus to standard output, until either
side closes. Like systemd-stdio-bridge, it lets a D-Bus client on another
machine reach this manager through a pipe such as ssh:

    ssh HOST svunit bus-bridge

The client speaks the whole D-Bus protocol, SASL included, through the
bridge; the bus sees the bridge's own credentials, so the client should
send AUTH EXTERNAL without an identity (as sd-bus does) or with the remote
user's uid. File descriptors cannot cross the bridge.`,
		setup: func(fs *pflag.FlagSet) func(*globals, []string) error {
			return func(g *globals, args []string) error {
				if len(args) != 0 {
					return usageErrorf("bus-bridge takes no arguments")
				}
				return bridge(g.paths().Bus, os.Stdin, os.Stdout)
			}
		},
	})
}

// bridge copies in to the bus socket at path and the socket to out, until
// both directions are done.
func bridge(path string, in io.Reader, out io.Writer) error {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return &exitError{code: exitNotLoaded, err: fmt.Errorf("bus-bridge: %v (is the svunit daemon running?)", err)}
	}
	defer conn.Close()
	up := make(chan error, 1)
	go func() {
		_, err := io.Copy(conn, in)
		conn.CloseWrite()
		up <- err
	}()
	_, err = io.Copy(out, conn)
	if err != nil {
		return fmt.Errorf("bus-bridge: from the bus: %v", err)
	}
	return nil
}
