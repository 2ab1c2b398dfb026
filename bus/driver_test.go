package bus

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

func TestHelloAndNames(t *testing.T) {
	s := testBus(t, Config{})
	a := dial(t, s)
	b := dial(t, s)
	if a.Names()[0] == b.Names()[0] {
		t.Fatalf("two clients got the same unique name %s", a.Names()[0])
	}
	reply, err := a.RequestName("org.example.A", 0)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName = %v, %v", reply, err)
	}
	var owner string
	if err := b.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, "org.example.A").Store(&owner); err != nil {
		t.Fatal(err)
	}
	if owner != a.Names()[0] {
		t.Fatalf("owner %q, want %q", owner, a.Names()[0])
	}
	reply, err = b.RequestName("org.example.A", 0)
	if err != nil || reply != dbus.RequestNameReplyInQueue {
		t.Fatalf("second RequestName = %v, %v", reply, err)
	}
	a.Close()
	waitFor(t, "b to own the name", func() bool {
		var o string
		b.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, "org.example.A").Store(&o)
		return o == b.Names()[0]
	})
}

func TestNameQueueFlags(t *testing.T) {
	s := testBus(t, Config{})
	a, b, c := dial(t, s), dial(t, s), dial(t, s)
	const n = "org.example.Q"
	request := func(conn *dbus.Conn, flags dbus.RequestNameFlags, want dbus.RequestNameReply) {
		t.Helper()
		if r, err := conn.RequestName(n, flags); err != nil || r != want {
			t.Fatalf("RequestName(%#x) = %v, %v; want %v", flags, r, err, want)
		}
	}
	owner := func() string {
		var o string
		c.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, n).Store(&o)
		return o
	}
	request(a, dbus.NameFlagAllowReplacement, dbus.RequestNameReplyPrimaryOwner)
	request(a, dbus.NameFlagAllowReplacement, dbus.RequestNameReplyAlreadyOwner)
	request(c, dbus.NameFlagDoNotQueue, dbus.RequestNameReplyExists)
	request(b, dbus.NameFlagReplaceExisting, dbus.RequestNameReplyPrimaryOwner)
	if o := owner(); o != b.Names()[0] {
		t.Fatalf("owner %s after replacement, want %s", o, b.Names()[0])
	}
	var queued []string
	c.BusObject().Call("org.freedesktop.DBus.ListQueuedOwners", 0, n).Store(&queued)
	if len(queued) != 2 || queued[1] != a.Names()[0] {
		t.Fatalf("queue %v: the replaced owner should wait second", queued)
	}
	request(c, dbus.NameFlagReplaceExisting, dbus.RequestNameReplyInQueue) // b did not allow replacement
	if r, err := b.ReleaseName(n); err != nil || r != dbus.ReleaseNameReplyReleased {
		t.Fatalf("ReleaseName = %v, %v", r, err)
	}
	if o := owner(); o != a.Names()[0] {
		t.Fatalf("owner %s after release, want %s", o, a.Names()[0])
	}
	if r, _ := b.ReleaseName(n); r != dbus.ReleaseNameReplyNotOwner {
		t.Fatalf("second ReleaseName = %v", r)
	}
	if r, _ := b.ReleaseName("org.example.None"); r != dbus.ReleaseNameReplyNonExistent {
		t.Fatalf("ReleaseName of a free name = %v", r)
	}
}

func TestDriverQueries(t *testing.T) {
	s := testBus(t, Config{})
	c := dial(t, s)
	obj := c.BusObject()
	var uid, pid uint32
	if err := obj.Call("org.freedesktop.DBus.GetConnectionUnixUser", 0, c.Names()[0]).Store(&uid); err != nil || uid != uint32(os.Getuid()) {
		t.Fatalf("GetConnectionUnixUser = %d, %v", uid, err)
	}
	if err := obj.Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, c.Names()[0]).Store(&pid); err != nil || pid != uint32(os.Getpid()) {
		t.Fatalf("GetConnectionUnixProcessID = %d, %v", pid, err)
	}
	var creds map[string]dbus.Variant
	if err := obj.Call("org.freedesktop.DBus.GetConnectionCredentials", 0, c.Names()[0]).Store(&creds); err != nil {
		t.Fatal(err)
	}
	if creds["UnixUserID"].Value() != uint32(os.Getuid()) || creds["ProcessID"].Value() != uint32(os.Getpid()) {
		t.Fatalf("GetConnectionCredentials = %v", creds)
	}
	if _, ok := creds["UnixGroupIDs"].Value().([]uint32); !ok {
		t.Fatalf("UnixGroupIDs = %v", creds["UnixGroupIDs"])
	}
	err := obj.Call("org.freedesktop.DBus.GetConnectionUnixUser", 0, ":1.12345").Err
	if e, ok := err.(dbus.Error); !ok || e.Name != errNameHasNoOwner {
		t.Fatalf("GetConnectionUnixUser of nobody: %v", err)
	}
	var names, act []string
	obj.Call("org.freedesktop.DBus.ListNames", 0).Store(&names)
	obj.Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&act)
	if !slices.Contains(names, c.Names()[0]) || !slices.Contains(names, busName) || !slices.Equal(act, []string{busName}) {
		t.Fatalf("ListNames %v, ListActivatableNames %v", names, act)
	}
	var id, machine, xml string
	obj.Call("org.freedesktop.DBus.GetId", 0).Store(&id)
	obj.Call("org.freedesktop.DBus.Peer.GetMachineId", 0).Store(&machine)
	obj.Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml)
	if id != s.guid || len(machine) != 32 || !strings.Contains(xml, `<method name="RequestName">`) {
		t.Fatalf("GetId %q, GetMachineId %q, Introspect %.80q", id, machine, xml)
	}
	var has bool
	obj.Call("org.freedesktop.DBus.NameHasOwner", 0, "org.example.Nobody").Store(&has)
	if has {
		t.Fatal("NameHasOwner of a free name = true")
	}
	var ifaces dbus.Variant
	if err := obj.Call("org.freedesktop.DBus.Properties.Get", 0, busName, "Interfaces").Store(&ifaces); err != nil {
		t.Fatal(err)
	}
}

func TestNameOwnerChangedAndArgMatch(t *testing.T) {
	s := testBus(t, Config{})
	w := dial(t, s)
	if err := w.AddMatchSignal(dbus.WithMatchInterface(busName), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, "org.example.Watched")); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 8)
	w.Signal(ch)
	other := dial(t, s)
	other.RequestName("org.example.Unwatched", 0)
	other.RequestName("org.example.Watched", 0)
	sig := <-ch
	if sig.Body[0] != "org.example.Watched" || sig.Body[1] != "" || sig.Body[2] != other.Names()[0] {
		t.Fatalf("NameOwnerChanged %v", sig.Body)
	}
	other.Close()
	sig = <-ch
	if sig.Body[0] != "org.example.Watched" || sig.Body[1] != other.Names()[0] || sig.Body[2] != "" {
		t.Fatalf("NameOwnerChanged on disconnect %v", sig.Body)
	}
}
