package bus

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

func TestMatchRules(t *testing.T) {
	s := newServer(Config{})
	sender := &conn{name: ":1.7"}
	s.names["org.example.Owner"] = &owner{queue: []claim{{sender, 0}}}
	e := encoder{order: binary.LittleEndian}
	e.str("org.example.Thing")
	e.str("/org/example/a/b")
	e.u32(5)
	h := &header{order: binary.LittleEndian, typ: typeSignal, sender: ":1.7", path: "/org/example/obj",
		iface: "org.example.I", member: "Changed", sig: "sou"}
	msg := marshal(h, e.buf)
	m := func() *routed { return &routed{h: h, from: sender, msg: msg, body: len(msg) - len(e.buf)} }
	for rule, want := range map[string]bool{
		"":                           true,
		"type='signal'":              true,
		"type='method_call'":         false,
		"sender=':1.7'":              true,
		"sender='org.example.Owner'": true,
		"sender='org.example.Other'": false,
		"interface='org.example.I',member='Changed'": true,
		"member='Other'":                             false,
		"path='/org/example/obj'":                    true,
		"path_namespace='/org/example'":              true,
		"path_namespace='/org/ex'":                   false,
		"path_namespace='/'":                         true,
		"arg0='org.example.Thing'":                   true,
		"arg0='org.example'":                         false,
		"arg0namespace='org.example'":                true,
		"arg0namespace='org.exam'":                   false,
		"arg1path='/org/example/'":                   true,
		"arg1path='/org/example/a/b/c'":              false,
		"arg1='/org/example/a/b'":                    false, // an object path: only argNpath sees it
		"arg2='5'":                                   false, // not a string argument
		"arg5=''":                                    false, // no such argument
		"destination=':1.9'":                         false,
		`member='Changed',arg0='org.example.Thing' `: true,
	} {
		r, err := parseMatchRule(rule)
		if err != nil {
			t.Errorf("parse %q: %v", rule, err)
			continue
		}
		if got := s.matches(r, m(), false); got != want {
			t.Errorf("rule %q matches = %v, want %v", rule, got, want)
		}
	}
	for _, bad := range []string{"type='nope'", "arg64='x'", "arg1namespace='x'", "path='x'", "bogus='x'",
		"member='a',member='b'", "interface='unterminated", "path='/a',path_namespace='/a'", "eavesdrop=maybe"} {
		if _, err := parseMatchRule(bad); err == nil {
			t.Errorf("rule %q parsed", bad)
		}
	}
	r, _ := parseMatchRule(`arg0='it'\''s'`)
	if r.args[0].val != "it's" {
		t.Errorf("escaped quote parsed as %q", r.args[0].val)
	}
}

func TestEavesdrop(t *testing.T) {
	s := testBus(t, Config{})
	exportEcho(t, s)
	spy := dial(t, s)
	if err := spy.BusObject().Call("org.freedesktop.DBus.AddMatch", 0,
		"eavesdrop=true,type='method_call',interface='"+svcIface+"'").Err; err != nil {
		t.Fatal(err)
	}
	seen := make(chan *dbus.Message, 4)
	spy.Eavesdrop(seen)
	c := dial(t, s)
	if err := c.Object(svcName, svcPath).Call(svcIface+".Echo", 0, "overheard").Err; err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-seen:
		if m.Body[0] != "overheard" {
			t.Fatalf("eavesdropped %v", m)
		}
	case <-time.After(patience):
		t.Fatal("the eavesdropper saw nothing")
	}
}
