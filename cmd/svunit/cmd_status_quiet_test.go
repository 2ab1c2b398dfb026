package main

import (
	"fmt"
	"testing"
)

// TestStatusQuiet: status -q prints nothing and answers with its exit
// status alone, as systemctl is-active --quiet, for scripts.
func TestStatusQuiet(t *testing.T) {
	bin := buildSvunit(t)
	d := startDaemon(t, bin, map[string]string{
		"web.unit": fmt.Sprintf(sleepUnit, "web"),
		"db.unit":  fmt.Sprintf(sleepUnit, "db"),
	})
	d.expect(0, "start", "web")
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"-q", "status", "web"}, 0},
		{[]string{"status", "-q", "db"}, exitNotRunning},
		{[]string{"-q", "status"}, exitNotRunning},
	} {
		if out, errOut := d.expect(c.code, c.args...); out != "" || errOut != "" {
			t.Errorf("svunit %v printed %q, %q; want nothing", c.args, out, errOut)
		}
	}
	if _, errOut := d.expect(exitNoSuchUnit, "-q", "status", "nope"); errOut == "" {
		t.Error("status -q of a missing unit printed no error")
	}
}
