package units

import (
	"path/filepath"
	"testing"
	"time"
)

// TestOneshotStartTimeout: a oneshot has no start timeout unless one is set
// (systemd's default), by TimeoutStartSec= or TimeoutSec=; other types keep
// 90s.
func TestOneshotStartTimeout(t *testing.T) {
	for _, c := range []struct {
		name, service string
		want          time.Duration
	}{
		{"oneshot", "Type=oneshot\n", Infinity},
		{"oneshot-start", "Type=oneshot\nTimeoutStartSec=5s\n", 5 * time.Second},
		{"oneshot-both", "TimeoutSec=7s\nType=oneshot\n", 7 * time.Second},
		{"simple", "", 90 * time.Second},
		{"notify", "Type=notify\n", 90 * time.Second},
	} {
		dir := writeUnits(t, map[string]string{c.name + ".unit": "[Service]\nExecStart=/bin/true\n" + c.service})
		us, err := LoadFile(filepath.Join(dir, c.name+".unit"))
		if err != nil || len(us) != 1 {
			t.Fatalf("%s: LoadFile = %d units, %v", c.name, len(us), err)
		}
		if got := us[0].Service.TimeoutStartSec; got != c.want {
			t.Errorf("%s: TimeoutStartSec = %v, want %v", c.name, got, c.want)
		}
	}
}
