package bus

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

func TestListenPaths(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run dir", "svunit", "bus")
	s := testBus(t, Config{Path: path})
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0700 {
		t.Fatalf("user manager's socket directory: %v, %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0600 {
		t.Fatalf("socket mode: %v, %v", fi.Mode(), err)
	}
	if !strings.Contains(s.Address(), "run%20dir") || !strings.HasSuffix(s.Address(), ",guid="+s.guid) {
		t.Fatalf("address %q", s.Address())
	}
	c, err := dbus.Connect(s.Address())
	if err != nil {
		t.Fatalf("connect to the escaped address: %v", err)
	}
	c.Close()
	if _, err := Listen(Config{Path: path}); err == nil || !strings.Contains(err.Error(), "already listening") {
		t.Fatalf("second Listen on a live socket: %v", err)
	}
}

func TestListenStaleAndBadPaths(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	s, err := Listen(Config{Path: stale})
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	s.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("Close left the socket: %v", err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0644)
	if _, err := Listen(Config{Path: file}); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("Listen over a regular file: %v", err)
	}
	if _, err := Listen(Config{}); err == nil {
		t.Fatal("Listen without a path succeeded")
	}
}

func TestCloseDisconnectsEveryone(t *testing.T) {
	checkFDs(t)
	dir := t.TempDir()
	s, err := Listen(Config{Path: filepath.Join(dir, "bus")})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	c, err := dbus.Connect(s.Address())
	if err != nil {
		t.Fatal(err)
	}
	half := rawDial(t, s)
	half.write([]byte("\x00AUTH EXTERNAL\r\n"))
	in, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := <-served; err != nil {
		t.Fatalf("Serve after Close: %v", err)
	}
	waitFor(t, "clients to see the bus close", func() bool { return !c.Connected() && !in.Connected() })
	half.expectClosed()
	if _, err := s.Connect(); err == nil {
		t.Fatal("Connect after Close succeeded")
	}
	half.c.Close()
}
