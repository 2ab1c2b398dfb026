package units

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseRlimit(t *testing.T) {
	cases := map[string]Rlimit{
		"LimitNOFILE=1024":      {unix.RLIMIT_NOFILE, 1024, 1024},
		"LimitNOFILE=1024:4096": {unix.RLIMIT_NOFILE, 1024, 4096},
		"LimitNOFILE=infinity":  {unix.RLIMIT_NOFILE, unix.RLIM_INFINITY, unix.RLIM_INFINITY},
		"LimitAS=1G:infinity":   {unix.RLIMIT_AS, 1 << 30, unix.RLIM_INFINITY},
		"LimitCPU=1min":         {unix.RLIMIT_CPU, 60, 60},
		"LimitRTTIME=5ms":       {unix.RLIMIT_RTTIME, 5000, 5000},
	}
	for in, want := range cases {
		name, v, _ := strings.Cut(in, "=")
		if got, err := parseRlimit(name, v); err != nil || got != want {
			t.Errorf("parseRlimit(%s) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if _, err := parseRlimit("LimitNOFILE", "4096:1024"); err == nil || err.Error() != "soft limit 4096 is above the hard limit 1024 (write SOFT:HARD with SOFT <= HARD)" {
		t.Errorf("soft > hard: %v", err)
	}
	if _, err := parseRlimit("LimitNOFILE", "lots"); err == nil || err.Error() != `"lots" is not a number or infinity` {
		t.Errorf("bad number: %v", err)
	}
}
