package units

import (
	"reflect"
	"strings"
	"testing"
)

// TestExamples loads examples/units as the manager would and checks what
// the README promises: a web server, three worker instances, a group
// @backend, everything enabled, and the API first in the start order.
func TestExamples(t *testing.T) {
	set, err := LoadDir("../examples/units")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(set.Units()); !reflect.DeepEqual(got, []string{"api.unit", "web.unit", "worker@1.unit", "worker@2.unit", "worker@3.unit"}) {
		t.Errorf("units = %q", got)
	}
	if got := names(set.Groups()["backend"]); !reflect.DeepEqual(got, []string{"api.unit", "worker@1.unit", "worker@2.unit", "worker@3.unit"}) {
		t.Errorf("@backend = %q", got)
	}
	for _, u := range set.Units() {
		if !u.Enabled() {
			t.Errorf("%s is not enabled", u.Name)
		}
	}
	var layers []string
	for _, l := range set.StartOrder(set.Units()) {
		layers = append(layers, strings.Join(names(l), " "))
	}
	if want := []string{"api.unit", "worker@1.unit worker@2.unit worker@3.unit", "web.unit"}; !reflect.DeepEqual(layers, want) {
		t.Errorf("start order = %q, want %q", layers, want)
	}
	w := set.Get("worker@2")
	argv, err := w.Service.ExecStart[0].Expand(w.Service.Environment)
	if err != nil || argv[len(argv)-1] != "5" || !strings.Contains(argv[2], `echo "worker 2: polling"`) {
		t.Errorf("worker@2 argv = %q, %v", argv, err)
	}
}
