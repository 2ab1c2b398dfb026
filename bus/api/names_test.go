package api

import (
	"github.com/godbus/dbus/v5"
	"testing"
)

func TestEscapeLabel(t *testing.T) {
	for _, tc := range []struct{ name, label string }{
		{"web.unit", "web_2eunit"},
		{"worker@2.unit", "worker_402_2eunit"},
		{"2fast.service", "_32fast_2eservice"},
		{"a-b_c", "a_2db_5fc"},
		{"", "_"},
		{"ü", "_c3_bc"},
	} {
		if got := escapeLabel(tc.name); got != tc.label {
			t.Errorf("escapeLabel(%q) = %q, want %q", tc.name, got, tc.label)
		}
		back, ok := unescapeLabel(tc.label)
		if !ok || back != tc.name {
			t.Errorf("unescapeLabel(%q) = %q, %v; want %q", tc.label, back, ok, tc.name)
		}
	}
}

func TestUnescapeLabelRejectsBadEscapes(t *testing.T) {
	for _, s := range []string{"web_2", "web_", "web_zz", "_g0"} {
		if got, ok := unescapeLabel(s); ok {
			t.Errorf("unescapeLabel(%q) = %q, true; want failure", s, got)
		}
	}
}

func TestUnitNameFromPath(t *testing.T) {
	if n, ok := UnitNameFromPath(UnitPath("worker@1.unit")); !ok || n != "worker@1.unit" {
		t.Errorf("round trip = %q, %v", n, ok)
	}
	for _, p := range []string{"/org/freedesktop/systemd1/unit", "/org/freedesktop/systemd1/unit/", "/org/freedesktop/systemd1/unit/a/b", "/x"} {
		if n, ok := UnitNameFromPath(dbus.ObjectPath(p)); ok {
			t.Errorf("UnitNameFromPath(%q) = %q, true; want false", p, n)
		}
	}
}

func TestCandidates(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"web.unit.service", []string{"web.unit.service", "web.unit"}},
		{"web.service", []string{"web.service", "web", "web.unit"}},
		{"my.app.service", []string{"my.app.service", "my.app", "my.app.unit"}},
		{"web.unit", []string{"web.unit"}},
		{"web", []string{"web.unit", "web.service", "web"}},
	} {
		got := candidates(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("candidates(%q) = %q, want %q", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("candidates(%q) = %q, want %q", tc.in, got, tc.want)
				break
			}
		}
	}
}

func FuzzUnescapeLabel(f *testing.F) {
	f.Add("web_2eunit")
	f.Add("_")
	f.Add("_zz")
	f.Fuzz(func(t *testing.T, s string) {
		name, ok := unescapeLabel(s)
		if !ok {
			return
		}
		if back, ok := unescapeLabel(escapeLabel(name)); !ok || back != name {
			t.Fatalf("escape/unescape of %q lost data: %q", name, back)
		}
	})
}
