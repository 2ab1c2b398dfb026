package service

import (
	"runtime"
	"slices"
	"strings"
	"testing"

	"svunit.dev/svunit/compat"
)

// TestNewRefuses checks the requests New turns down before touching the
// machine, each with an error that says what to do.
func TestNewRefuses(t *testing.T) {
	exe := "/usr/local/bin/svunit"
	cases := []struct {
		c    Config
		want string
	}{
		{Config{Backend: "linux-upstart", Options: compat.Options{Executable: exe}}, "svunit generate"},
		{Config{Backend: "launchd-ish", Options: compat.Options{Executable: exe}}, "init.d"},
		{Config{Backend: "init.d", Options: compat.Options{Executable: "/opt/{{x}}/svunit"}}, `"{{"`},
		{Config{Backend: "init.d", Options: compat.Options{Executable: exe, User: true}}, "per-user"},
		{Config{Backend: "openbsd-rc.d", Options: compat.Options{Executable: exe, Units: "/etc/my units"}}, "daemon argument"},
	}
	for _, c := range cases {
		s, err := New(c.c)
		if err == nil {
			// The wrapper's own problems stop Install, not New.
			_, err = s.Wrapper()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): %v; want an error mentioning %s", c.c, err, c.want)
		}
	}
}

// TestNativePlan checks what an OpenBSD or NetBSD install would write and
// run; those backends never touch kardianos/service.
func TestNativePlan(t *testing.T) {
	s, err := New(Config{Backend: "netbsd-rc.d", Options: compat.Options{Executable: "/usr/pkg/bin/svunit", Name: "sv"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Files(), []string{"/etc/rc.d/sv", "/etc/rc.conf.d/sv"}) || s.Commands() != nil {
		t.Errorf("netbsd: files %v, commands %v", s.Files(), s.Commands())
	}
	s, err = New(Config{Backend: "openbsd-rc.d", Options: compat.Options{Executable: "/usr/local/bin/svunit"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Files(), []string{"/etc/rc.d/svunit"}) || len(s.Commands()) != 1 || strings.Join(s.Commands()[0], " ") != "rcctl enable svunit" {
		t.Errorf("openbsd: files %v, commands %v", s.Files(), s.Commands())
	}
	want, _ := compat.Generate(compat.OpenBSD, compat.Options{Executable: "/usr/local/bin/svunit"})
	if got, err := s.Wrapper(); err != nil || string(got) != string(want) {
		t.Error("the OpenBSD wrapper differs from compat.Generate's")
	}
}

// TestBackendChoiceIsNotSticky checks that forcing one backend does not
// hide the others from the next New, although kardianos/service narrows
// its list of systems to the one chosen.
func TestBackendChoiceIsNotSticky(t *testing.T) {
	opts := compat.Options{Executable: "/usr/local/bin/svunit"}
	if runtime.GOOS != "linux" {
		t.Skip("these kardianos/service backends exist on Linux only")
	}
	// SysV is always detected; OpenRC is where openrc is installed (.ci/deps).
	for _, b := range []string{"init.d", "openrc", "init.d", "openrc"} {
		s, err := New(Config{Backend: b, Options: opts})
		if err != nil || string(s.Target()) != b {
			t.Fatalf("New(backend %s) = %v, %v", b, s, err)
		}
	}
	if _, err := New(Config{Options: opts}); err != nil {
		t.Errorf("detecting the init system after forcing one: %v", err)
	}
}

// TestUnwritableWrapper checks that a wrapper this binary's path cannot be
// written into stops Install only: status and uninstall still answer.
func TestUnwritableWrapper(t *testing.T) {
	s, err := New(Config{Backend: "openbsd-rc.d", Options: compat.Options{Name: "svunit_never_installed", Executable: "/home/me/my bin/svunit"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Install(); err == nil || !strings.Contains(err.Error(), "my bin") {
		t.Errorf("Install = %v, want the executable's path refused", err)
	}
	if st, err := s.Status(); st != NotInstalled || err != nil {
		t.Errorf("Status = %s, %v; want not-installed", st, err)
	}
	if err := s.Uninstall(); err != ErrNotInstalled {
		t.Errorf("Uninstall = %v, want ErrNotInstalled", err)
	}
}
