package units

import (
	"reflect"
	"strings"
	"testing"
)

// TestDocumentedDefaults checks that the Default column of the directive
// table, which docs/directives.md shows, is what withDefaults really sets:
// writing the documented default into a unit must change nothing.
func TestDocumentedDefaults(t *testing.T) {
	checked := 0
	for _, d := range table {
		def, _, _ := strings.Cut(d.Default, " ")
		if def == "" || def == "–" || def == "required" {
			continue
		}
		want := withDefaults(&Unit{Name: "x.unit", Lines: map[string]int{}})
		got := withDefaults(&Unit{Name: "x.unit", Lines: map[string]int{}})
		b := &builder{u: got, spec: &specifiers{name: "x.unit", prefix: "x"}}
		if err := d.parse(b, def); err != nil {
			continue // a description such as "the manager's", not a value
		}
		checked++
		var errs ErrorList
		check(want, nil, &errs) // derives the defaults that depend on the name
		check(got, nil, &errs)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s=%s (the documented default) changes the unit: the table and withDefaults disagree", d.Name, def)
		}
	}
	if checked < 20 {
		t.Errorf("only %d defaults were checked; the table's Default column no longer starts with values", checked)
	}
}
