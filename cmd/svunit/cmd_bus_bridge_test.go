package main

import (
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"svunit.dev/svunit/bus"
)

// TestBusBridge runs busctl against a real bus through 'svunit bus-bridge',
// using sd-bus's unixexec transport (the way systemd-stdio-bridge is used
// over ssh).
func TestBusBridge(t *testing.T) {
	bin := buildSvunit(t)
	path := filepath.Join(t.TempDir(), "bus")
	srv, err := bus.Listen(bus.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	defer func() { srv.Close(); <-served }()

	busctl, err := exec.LookPath("busctl")
	if err != nil {
		t.Fatalf("busctl is not installed (see .ci/deps): %v", err)
	}
	addr := "--address=unixexec:path=" + bin + ",argv0=svunit,argv1=bus-bridge,argv2=--bus,argv3=" + path
	out, err := exec.Command(busctl, addr, "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
		"org.freedesktop.DBus", "NameHasOwner", "s", "org.freedesktop.DBus").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "b true" {
		t.Fatalf("busctl through the bridge: %v\n%s", err, out)
	}
}

func TestBusBridgeNoBus(t *testing.T) {
	err := bridge(filepath.Join(t.TempDir(), "none"), strings.NewReader(""), io.Discard)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitNotLoaded {
		t.Fatalf("bridge to no bus: %v", err)
	}
}
