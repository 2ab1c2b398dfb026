package manager

import (
	"testing"

	"svunit.dev/svunit/units"
)

// TestCredDirectives: the refusal of a manager that is not root names the
// directives as written, without empty ones ("User=nobody Group=" was
// printed before).
func TestCredDirectives(t *testing.T) {
	for _, c := range []struct {
		s    units.Service
		want string
	}{
		{units.Service{User: "nobody"}, "User=nobody"},
		{units.Service{Group: "www"}, "Group=www"},
		{units.Service{User: "www", Group: "www", SupplementaryGroups: []string{"adm", "audio"}}, "User=www Group=www SupplementaryGroups=adm audio"},
	} {
		if got := credDirectives(&c.s); got != c.want {
			t.Errorf("credDirectives(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}
