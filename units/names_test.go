package units

import "testing"

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{
		{"wbe", "web", 1}, {"wbe", "db", 2}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3},
		{"Restrat", "Restart", 1}, {"ab", "ba", 1}, {"abc", "abc", 0}, {"ca", "abc", 3},
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestParseName(t *testing.T) {
	good := map[string]unitName{
		"web.unit":            {prefix: "web", suffix: ".unit"},
		"worker@.service":     {prefix: "worker", template: true, suffix: ".service"},
		"worker@a-b.unit":     {prefix: "worker", instance: "a-b", suffix: ".unit"},
		`my:app_1.x\x2d.unit`: {prefix: `my:app_1.x\x2d`, suffix: ".unit"},
	}
	for in, want := range good {
		if got, err := parseName(in); err != nil || got != want {
			t.Errorf("parseName(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{".unit", "@x.unit", "a@b@c.unit", "a b.unit", "web", "web.conf", "é.unit"} {
		if _, err := parseName(in); err == nil {
			t.Errorf("parseName(%q) succeeded", in)
		}
	}
}
