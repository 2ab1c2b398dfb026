package api

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated part of docs/dbus-api.md")

const (
	refBegin = "<!-- BEGIN GENERATED: go test ./bus/api -run TestReference -update -->\n"
	refEnd   = "<!-- END GENERATED -->\n"
)

// TestReference keeps docs/dbus-api.md's tables equal to the interfaces
// the code serves.
func TestReference(t *testing.T) {
	for _, r := range referenceIfaces {
		for _, m := range r.def.methods {
			if methodDocs[r.def.name+"."+m.name] == "" {
				t.Errorf("%s.%s has no line in methodDocs", r.def.name, m.name)
			}
		}
	}
	const doc = "../../docs/dbus-api.md"
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, refBegin), strings.Index(text, refEnd)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the generated section markers %q … %q", doc, refBegin, refEnd)
	}
	want := text[:i+len(refBegin)] + reference() + text[j:]
	if want == text {
		return
	}
	if *update {
		if err := os.WriteFile(doc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with the code; run go test ./bus/api -run TestReference -update", doc)
}
