package bus

import (
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
