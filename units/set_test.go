package units

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func svc(extra string) string { return "[Service]\nExecStart=/bin/true\n" + extra }

func names(us []*Unit) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

func TestSetSharedLogFile(t *testing.T) {
	dir := writeUnits(t, map[string]string{
		"a.unit": svc("StandardOutput=append:/var/log/shared.log\n"),
		"b.unit": svc("StandardOutput=file:/tmp/b.log\nStandardError=append:/var/log/../log/shared.log\n"),
		"c.unit": svc("StandardOutput=append:/tmp/c.log\nStandardError=append:/tmp/c.log\n"), // one unit, one file: fine
		"d.unit": svc(""),
	})
	set, err := LoadDir(dir)
	want := []string{
		"a.unit:3: Service.StandardOutput: a.unit and b.unit both write to /var/log/shared.log (b.unit:4); two units may not share a log file: give each its own (in a template, put %i in the path)",
		"b.unit:4: Service.StandardError: b.unit and a.unit both write to /var/log/shared.log (a.unit:3); two units may not share a log file: give each its own (in a template, put %i in the path)",
	}
	if got := errorStrings(err, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := names(set.Units()); !reflect.DeepEqual(got, []string{"c.unit", "d.unit"}) {
		t.Errorf("set = %q", got)
	}
}

// TestSetSharedLogFileTemplate: the instances of a template that share one
// log file get one error, on the template's line, not one per pair.
func TestSetSharedLogFileTemplate(t *testing.T) {
	dir := writeUnits(t, map[string]string{
		"w@.unit": svc("StandardOutput=append:/var/log/w.log\nInstances=3\n"),
		"v@.unit": svc("StandardOutput=append:/var/log/v-%i.log\nInstances=3\n"), // one file each: fine
	})
	set, err := LoadDir(dir)
	want := []string{
		"w@.unit:3: Service.StandardOutput: w@2.unit and w@1.unit both write to /var/log/w.log (w@.unit:3); two units may not share a log file: give each its own (in a template, put %i in the path)",
	}
	if got := errorStrings(err, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := names(set.Units()); !reflect.DeepEqual(got, []string{"v@1.unit", "v@2.unit", "v@3.unit"}) {
		t.Errorf("set = %q", got)
	}
}

func TestSetCycleAndRequires(t *testing.T) {
	dir := writeUnits(t, map[string]string{
		"a.unit":  "[Unit]\nAfter=b\n" + svc(""),
		"b.unit":  "[Unit]\nDescription=b\nRequires=c\n" + svc(""),
		"c.unit":  "[Unit]\nWants=a\n" + svc(""),
		"d.unit":  "[Unit]\nRequires=a.unit\n" + svc(""),                  // a is on the cycle, so d goes too
		"e.unit":  "[Unit]\nRequires=ghost\n" + svc(""),                   // no such unit
		"f.unit":  "[Unit]\nRequires=network.target\nAfter=f\n" + svc(""), // targets ignored; self-cycle
		"ok.unit": "[Unit]\nWants=ghost\nAfter=ghost.service\n" + svc(""),
	})
	set, err := LoadDir(dir)
	want := []string{
		"a.unit:2: Unit.After: dependency cycle: a.unit → b.unit → c.unit → a.unit, where A → B means A starts after B (remove one of these After=, Before=, Requires= or Wants=)",
		"d.unit:2: Unit.Requires: d.unit requires a.unit, which is not loaded (add a.unit, fix its errors, or use Wants=)",
		"e.unit:2: Unit.Requires: e.unit requires ghost.unit, which is not loaded (add ghost.unit, fix its errors, or use Wants=)",
		"f.unit:3: Unit.After: dependency cycle: f.unit → f.unit, where A → B means A starts after B (remove one of these After=, Before=, Requires= or Wants=)",
	}
	if got := errorStrings(err, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := names(set.Units()); !reflect.DeepEqual(got, []string{"ok.unit"}) {
		t.Errorf("set = %q", got)
	}
}

func TestSetDuplicateNames(t *testing.T) {
	dir := writeUnits(t, map[string]string{"web.unit": svc(""), "web.service": svc(""), "other.unit": svc("")})
	set, err := LoadDir(dir)
	want := []string{
		"web.service: unit web.service is defined twice: here and in web.unit (remove or rename one)",
		"web.unit: unit web.unit is defined twice: here and in web.service (remove or rename one)",
	}
	if got := errorStrings(err, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := names(set.Units()); !reflect.DeepEqual(got, []string{"other.unit"}) {
		t.Errorf("set = %q", got)
	}
}

// testSet builds a set from name → [Unit]/[Service] extra lines.
func testSet(t *testing.T, files map[string]string) *Set {
	t.Helper()
	dir := writeUnits(t, files)
	set, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestSetGetResolveGroups(t *testing.T) {
	set := testSet(t, map[string]string{
		"web.unit":     "[Unit]\nGroups=front front\n" + svc(""),
		"db.service":   "[Unit]\nGroups=backend\n" + svc(""),
		"worker@.unit": "[Unit]\nGroups=backend\n" + svc("Instances=2\n"),
	})
	for in, want := range map[string]string{"web": "web.unit", "web.unit": "web.unit", "web.service": "web.unit", "web.unit.service": "web.unit", "worker@1.unit.service": "worker@1.unit", "db": "db.service", "db.unit": "db.service", "worker@2": "worker@2.unit", "nope": "", "worker@.unit": ""} {
		got := ""
		if u := set.Get(in); u != nil {
			got = u.Name
		}
		if got != want {
			t.Errorf("Get(%q) = %q, want %q", in, got, want)
		}
	}
	resolve := []struct {
		args []string
		want []string
	}{
		{[]string{"all"}, []string{"db.service", "web.unit", "worker@1.unit", "worker@2.unit"}},
		{[]string{"@backend"}, []string{"db.service", "worker@1.unit", "worker@2.unit"}},
		{[]string{"worker@*", "web"}, []string{"web.unit", "worker@1.unit", "worker@2.unit"}},
		{[]string{"w*", "web.unit"}, []string{"web.unit", "worker@1.unit", "worker@2.unit"}},
		{[]string{"*.service"}, []string{"db.service"}},
	}
	for _, c := range resolve {
		got, err := set.Resolve(c.args)
		if err != nil || !reflect.DeepEqual(names(got), c.want) {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.args, names(got), err, c.want)
		}
	}
	for args, msg := range map[string]string{
		"web ghost": `no unit matches "ghost"`,
		"@nogroup":  "no group @nogroup (a unit joins a group with [Unit] Groups=nogroup)",
		"wbe.unit":  `no unit matches "wbe.unit"; did you mean web?`,
		"@backedn":  "no group @backedn; did you mean @backend? (a unit joins a group with [Unit] Groups=backedn)",
		"x*":        `no unit matches "x*"`,
		"[":         `bad pattern "[": syntax error in pattern`,
	} {
		_, err := set.Resolve(strings.Fields(args))
		var nf *NotFoundError
		if err == nil || err.Error() != msg {
			t.Errorf("Resolve(%s) error = %v, want %s", args, err, msg)
		}
		if args != "[" && (!errors.As(err, &nf) || !strings.Contains(args, nf.Arg)) {
			t.Errorf("Resolve(%s) error %#v does not name the argument", args, err)
		}
	}
	groups := set.Groups()
	if len(groups) != 2 || !reflect.DeepEqual(names(groups["backend"]), []string{"db.service", "worker@1.unit", "worker@2.unit"}) || !reflect.DeepEqual(names(groups["front"]), []string{"web.unit"}) {
		t.Errorf("Groups = %v", groups)
	}
}

func TestStartOrder(t *testing.T) {
	set := testSet(t, map[string]string{
		"db.unit":    svc("Priority=500\n"),
		"cache.unit": svc("Priority=100\n"),
		"api.unit":   "[Unit]\nRequires=db\n" + svc("Priority=1\n"),
		"web.unit":   "[Unit]\nWants=api\nAfter=cache\n" + svc(""),
		"log.unit":   "[Unit]\nBefore=db\n" + svc("Priority=900\n"),
		"a.unit":     svc(""),
		"b.unit":     svc(""),
	})
	var got []string
	for _, layer := range set.StartOrder(set.Units()) {
		got = append(got, strings.Join(names(layer), " "))
	}
	// cache (100) is ready first; db waits for log (Before=db); api (1)
	// waits for db; web (999) waits for api and cache, a and b wait for
	// lower priorities.
	want := []string{"cache.unit", "log.unit", "db.unit", "api.unit", "a.unit b.unit web.unit"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("StartOrder =\n%q\nwant\n%q", got, want)
	}
	// A subset ignores dependencies outside it.
	sub, _ := set.Resolve([]string{"web", "api"})
	if got := set.StartOrder(sub); len(got) != 2 || got[0][0].Name != "api.unit" || got[1][0].Name != "web.unit" {
		t.Errorf("StartOrder(web, api) = %v", got)
	}
}

func TestEqual(t *testing.T) {
	a := testSet(t, map[string]string{"x.unit": svc("Environment=A=1\n")}).Get("x")
	moved := testSet(t, map[string]string{"x.unit": "# a comment moves every line\n\n" + svc("Environment=A=1\n")}).Get("x")
	changed := testSet(t, map[string]string{"x.unit": svc("Environment=A=2\n")}).Get("x")
	if !a.Equal(moved) {
		t.Error("units differing only in line numbers are not Equal")
	}
	if a.Equal(changed) || a.Equal(nil) {
		t.Error("different units are Equal")
	}
}
