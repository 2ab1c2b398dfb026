package units

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader as a plain unit and as a
// template. It must never panic, and what it returns must be consistent:
// either units or errors, every error placed within the file.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("[Service]\nExecStart=/bin/echo \"a b\" 'c' \\x41 ${X} $Y\n"), false)
	f.Add([]byte("[Unit]\nAfter=a\n[Service]\nExecStart=/bin/sh -c 'echo %i'\nInstances=2\n"), true)
	f.Add([]byte("[Service]\nExecStart=/bin/echo \"unclosed\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, template bool) {
		path := "/fuzz/f.unit"
		if template {
			path = "/fuzz/f@.unit"
		}
		n, err := parseName(path[len("/fuzz/"):])
		if err != nil {
			t.Fatal(err)
		}
		if opts, _, errs := readOptions(path, data); len(errs) == 0 {
			for _, o := range opts {
				if o.line < 1 || o.line > bytes.Count(data, []byte("\n"))+1 {
					t.Fatalf("option %+v has no line", o)
				}
			}
		}
		us, errs := loadBytes(path, n, data, false, map[string]bool{}) // no drop-ins
		if (len(us) == 0) == (len(errs) == 0) {
			t.Fatalf("%d units and %d errors", len(us), len(errs))
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range errs {
			if e.File != path || e.Line < 0 || e.Line > lines || e.Msg == "" || strings.HasPrefix(e.Error(), ":") {
				t.Fatalf("bad error %#v", e)
			}
		}
		for _, u := range us {
			for _, c := range u.Service.ExecStart {
				if _, err := c.Expand([]string{"X=a b", "Y=c"}); err != nil {
					t.Fatalf("a loaded command does not expand: %v", err)
				}
				if strings.Contains(strings.Join(c.Argv, ""), "\x00") {
					t.Fatalf("a loaded command holds a NUL byte: %q", c.Argv)
				}
			}
			if !u.Equal(u) {
				t.Fatal("a unit is not Equal to itself")
			}
		}
		set, _ := NewSet(us)
		set.StartOrder(set.Units())
	})
}

// FuzzExpand checks spawn-time expansion on arbitrary words and values:
// no panic, a word without '$' is kept as is, and ${A} is always one word.
func FuzzExpand(f *testing.F) {
	f.Add("${A}", "x y")
	f.Add("$A", " a  b ")
	f.Add("pre${A:-d}post$$", "")
	f.Add("${A:+alt}${", "v")
	f.Fuzz(func(t *testing.T, word, value string) {
		c := Command{Argv: []string{"/bin/p", word}}
		argv, err := c.Expand([]string{"A=" + value})
		if err != nil {
			return
		}
		if argv[0] != "/bin/p" {
			t.Fatalf("the program changed: %q", argv)
		}
		if !strings.Contains(word, "$") && (len(argv) != 2 || argv[1] != word) {
			t.Fatalf("%q without $ became %q", word, argv)
		}
		if word == "${A}" && (len(argv) != 2 || argv[1] != value) {
			t.Fatalf("${A} became %q", argv)
		}
	})
}
