package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/bus"
	"svunit.dev/svunit/units"
)

// The tests below name users and groups every Debian system has: root,
// daemon and nobody; root, daemon and nogroup.

func TestParseRulesErrors(t *testing.T) {
	src := "[web.unit]\nAllowUsers=daemon:restart\nAllowUsers=daemon:reboot\n\n[@]\nAllowUsers=root:all\n" +
		"[web-[]\nAllowGroups=daemon:all\n[x]\nAllowGroups=svunit-no-such-group:all\nUser=root\nAllowUsers=daemon\n"
	_, err := parseRules("access.conf", []byte(src))
	el, ok := err.(units.ErrorList)
	if !ok {
		t.Fatalf("want an ErrorList, got %v", err)
	}
	want := []string{
		`access.conf:3: web.unit.AllowUsers: "daemon:reboot": verb "reboot" is not one of status, logs, start, stop, restart, kill, all`,
		`access.conf:6: @.AllowUsers: empty section name`,
		`access.conf:8: web-[.AllowGroups: section [web-[] is not a valid glob`,
		`access.conf:10: x.AllowGroups: group "svunit-no-such-group" does not exist`,
		`access.conf:11: x.User: unknown directive`,
		`access.conf:12: x.AllowUsers: "daemon" is not NAME:VERB`,
	}
	if len(el) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(el), len(want), strings.Join(errStrings(el), "\n"))
	}
	for i, e := range el {
		if !strings.HasPrefix(e.Error(), want[i]) {
			t.Errorf("error %d:\n got %s\nwant %s…", i, e, want[i])
		}
	}
}

func errStrings(el units.ErrorList) []string {
	var s []string
	for _, e := range el {
		s = append(s, e.Error())
	}
	return s
}

func TestLoadFileMissingIsEmpty(t *testing.T) {
	r, err := LoadFile(filepath.Join(t.TempDir(), "access.conf"))
	if err != nil || len(r.grants) != 0 {
		t.Fatalf("missing file: %v, %d grants", err, len(r.grants))
	}
}

func testUnit(name, tmpl string, groups ...string) *units.Unit {
	return &units.Unit{Name: name, Template: tmpl, Groups: groups, Path: "/u/" + name, Lines: map[string]int{"Unit.AllowUsers": 2}}
}

// TestGrantFor checks which section patterns cover which units and which
// grant wins, with its place in the message.
func TestGrantFor(t *testing.T) {
	src := "[web]\nAllowUsers=daemon:status,logs\n[@backend]\nAllowGroups=daemon:restart\n" +
		"[worker@.unit]\nAllowUsers=daemon:kill\n[api-*]\nAllowUsers=daemon:stop\n[*]\nAllowUsers=nobody:all\n" +
		"[db.unit]\nAllowUsers=daemon:start\nAllowUsers=\n"
	r, err := parseRules("a.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	daemonID := identity{user: map[string]bool{"daemon": true, "1": true}, groups: map[string]bool{"daemon": true}}
	nobody := identity{user: map[string]bool{"nobody": true}, groups: map[string]bool{}}
	web := testUnit("web.unit", "")
	web.AllowUsers = []string{"daemon:start"}
	cases := []struct {
		id   identity
		verb Verb
		u    *units.Unit
		by   string // "" = refused
	}{
		{daemonID, Start, web, "/u/web.unit:2 AllowUsers=daemon:start"},
		{daemonID, Logs, web, "a.conf:2 [web] AllowUsers=daemon:status,logs"},
		{daemonID, Stop, web, ""},
		{daemonID, Restart, testUnit("x.unit", "", "backend"), "a.conf:4 [@backend] AllowGroups=daemon:restart"},
		{daemonID, Restart, testUnit("x.unit", "", "frontend"), ""},
		{daemonID, Kill, testUnit("worker@3.unit", "worker@.unit"), "a.conf:6 [worker@.unit] AllowUsers=daemon:kill"},
		{daemonID, Stop, testUnit("api-eu.unit", ""), "a.conf:8 [api-*] AllowUsers=daemon:stop"},
		{daemonID, Start, testUnit("db.unit", ""), ""}, // reset by the empty AllowUsers=
		{nobody, Kill, testUnit("anything.unit", ""), "a.conf:10 [*] AllowUsers=nobody:all"},
	}
	for _, c := range cases {
		by, near := r.grantFor(c.id, c.verb, c.u)
		if by != c.by {
			t.Errorf("%s on %s: granted by %q (near %q), want %q", c.verb, c.u.Name, by, near, c.by)
		}
	}
	if _, near := r.grantFor(daemonID, Stop, web); len(near) != 2 || !strings.Contains(near[0], "grants only start") {
		t.Errorf("the rules naming daemon on web.unit: %q", near)
	}
}

func TestBusRules(t *testing.T) {
	var logged []string
	p, err := New(Config{OwnerUID: 1000, Logf: func(f string, a ...any) {
		if line := fmt.Sprintf(f, a...); strings.Contains(line, "may not") {
			logged = append(logged, line)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	root, owner, other := bus.Cred{UID: 0}, bus.Cred{UID: 1000}, bus.Cred{UID: 4242, PID: 77}
	for _, c := range []bus.Cred{root, owner} {
		if p.CanOwn(c, "io.svunit1") != nil || p.CanEavesdrop(c, "") != nil || p.CanSend(c, signal()) != nil || p.CheckAll(c, Manage) != nil {
			t.Errorf("uid %d refused something", c.UID)
		}
	}
	refusals := map[string]error{
		"may not own the name io.svunit1":      p.CanOwn(other, "io.svunit1"),
		"may not eavesdrop":                    p.CanEavesdrop(other, "eavesdrop=true"),
		"may not send the signal x.Sig":        p.CanSend(other, signal()),
		"may not call x.M on :1.9":             p.CanSend(other, methodCall(":1.9")),
		"may not reload or change the manager": p.CheckAll(other, Manage),
		"may not do \"bogus\"":                 p.CheckAll(other, "bogus"),
		"may not read the logs of web.unit":    p.CheckAll(other, Logs, testUnit("web.unit", "")),
		"may not send signals to web.unit":     p.CheckAll(other, Kill, testUnit("web.unit", "")),
		"may not stop web.unit":                p.CheckAll(other, Stop, testUnit("web.unit", "")),
	}
	for want, err := range refusals {
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "uid 4242") || !strings.Contains(err.Error(), "pid 77") {
			t.Errorf("want a refusal containing %q naming uid 4242 and pid 77, got %v", want, err)
		}
	}
	if len(logged) != len(refusals) {
		t.Errorf("%d refusals logged %d lines", len(refusals), len(logged))
	}
	if err := p.CanSend(other, methodCall("org.freedesktop.systemd1")); err != nil {
		t.Errorf("calling the manager by name: %v", err)
	}
	p.Serve(":1.9")
	if err := p.CanSend(other, methodCall(":1.9")); err != nil {
		t.Errorf("calling the manager's unique name: %v", err)
	}
	if err := p.CheckAll(other, Status, testUnit("web.unit", "")); err != nil {
		t.Errorf("status is open to all: %v", err)
	}
}

func signal() *dbus.Message {
	return &dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldInterface: dbus.MakeVariant("x"), dbus.FieldMember: dbus.MakeVariant("Sig")}}
}

func methodCall(dest string) *dbus.Message {
	return &dbus.Message{Type: dbus.TypeMethodCall, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldInterface: dbus.MakeVariant("x"), dbus.FieldMember: dbus.MakeVariant("M"),
		dbus.FieldDestination: dbus.MakeVariant(dest)}}
}

// TestReloadOnChange edits the file under a live policy.
func TestReloadOnChange(t *testing.T) {
	file := filepath.Join(t.TempDir(), "access.conf")
	var logged []string
	p, err := New(Config{File: file, Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }})
	if err != nil {
		t.Fatal(err)
	}
	daemonCred := bus.Cred{UID: 1, GID: 1}
	u := testUnit("web.unit", "")
	if p.CheckAll(daemonCred, Stop, u) == nil {
		t.Fatal("stop allowed with no rules")
	}
	os.WriteFile(file, []byte("[web]\nAllowUsers=daemon:stop\n"), 0o644)
	if err := p.CheckAll(daemonCred, Stop, u); err != nil {
		t.Fatalf("after granting stop: %v", err)
	}
	os.WriteFile(file, []byte("[web]\nAllowUsers=daemon:bogus,stop\n"), 0o644)
	if err := p.CheckAll(daemonCred, Stop, u); err != nil {
		t.Fatalf("a bad edit dropped the old rules: %v", err)
	}
	if !strings.Contains(strings.Join(logged, "\n"), "previous rules stay") {
		t.Errorf("the bad edit was not logged: %q", logged)
	}
}
