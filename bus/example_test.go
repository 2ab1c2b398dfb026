package bus_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"svunit.dev/svunit/bus"
)

// A manager serves a bus, attaches itself as an ordinary client, and
// claims its name; any D-Bus client can then reach it at s.Address().
func ExampleServer() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := bus.Listen(bus.Config{Path: filepath.Join(dir, "svunit", "bus")})
	if err != nil {
		log.Fatal(err)
	}
	go s.Serve()
	defer s.Close()

	conn, err := s.Connect()
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	reply, err := conn.RequestName("org.example.Manager", 0)
	if err != nil {
		log.Fatal(err)
	}
	var owner string
	err = conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, "org.example.Manager").Store(&owner)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply, owner == conn.Names()[0])
	// Output: primary owner true
}
