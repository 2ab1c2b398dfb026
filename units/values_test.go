package units

import (
	"reflect"
	"syscall"
	"testing"
	"time"
)

func TestParseTimeSpan(t *testing.T) {
	good := map[string]time.Duration{
		"5": 5 * time.Second, "5s": 5 * time.Second, "1min 30s": 90 * time.Second, "1h30m": 90 * time.Minute,
		"100ms": 100 * time.Millisecond, "1.5s": 1500 * time.Millisecond, "2 days": 48 * time.Hour,
		"250us": 250 * time.Microsecond, "infinity": Infinity, "0": 0, "1w": 7 * 24 * time.Hour,
	}
	for in, want := range good {
		if got, err := parseTimeSpan(in); err != nil || got != want {
			t.Errorf("parseTimeSpan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":           "empty time span (write e.g. 5s, 1min 30s or infinity)",
		"5 parsecs":  `"5 parsecs": unknown time unit "parsecs" (use us, ms, s, min, h, d, w)`,
		"-1s":        `"-1s" is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)`,
		"s":          `"s" is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)`,
		"1e400":      `"1e400": unknown time unit "e" (use us, ms, s, min, h, d, w)`,
		"999999999y": `time span "999999999y" is too long (write infinity for no limit)`,
	}
	for in, want := range bad {
		if _, err := parseTimeSpan(in); err == nil || err.Error() != want {
			t.Errorf("parseTimeSpan(%q) error = %v; want %s", in, err, want)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"yes", "true", "on", "1", "Y"} {
		if v, err := parseBool(s); !v || err != nil {
			t.Errorf("parseBool(%q) = %v, %v", s, v, err)
		}
	}
	for _, s := range []string{"no", "false", "off", "0"} {
		if v, err := parseBool(s); v || err != nil {
			t.Errorf("parseBool(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := parseBool("maybe"); err == nil || err.Error() != `"maybe" is not a boolean (write yes or no)` {
		t.Errorf("parseBool(maybe) error = %v", err)
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]syscall.Signal{"SIGTERM": syscall.SIGTERM, "term": syscall.SIGTERM, "INT": syscall.SIGINT, "9": syscall.SIGKILL, "SIGRTMIN": 34, "RTMIN+2": 36, "SIGRTMAX-1": 63} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"SIGFOO": `"SIGFOO" is not a signal (write a name such as SIGTERM or a number)`, "65": "signal number 65 is out of range (1-64)", "0": "signal number 0 is out of range (1-64)"} {
		if _, err := ParseSignal(in); err == nil || err.Error() != want {
			t.Errorf("ParseSignal(%q) error = %v; want %s", in, err, want)
		}
	}
}

func TestParseExitStatus(t *testing.T) {
	got, err := parseExitStatus("0 2 SIGKILL 143 USR1")
	want := ExitStatusSet{Codes: []int{0, 2, 143}, Signals: []syscall.Signal{syscall.SIGKILL, syscall.SIGUSR1}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseExitStatus = %+v, %v; want %+v", got, err, want)
	}
	if !got.HasCode(143) || got.HasCode(1) || !got.HasSignal(syscall.SIGKILL) || got.HasSignal(syscall.SIGTERM) {
		t.Error("HasCode/HasSignal disagree with the set")
	}
	for in, msg := range map[string]string{"256": "exit status 256 is out of range (0-255)", "oops": `"oops" is neither an exit status (0-255) nor a signal name`} {
		if _, err := parseExitStatus(in); err == nil || err.Error() != msg {
			t.Errorf("parseExitStatus(%q) error = %v; want %s", in, err, msg)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"512": 512, "64K": 64 << 10, "50M": 50 << 20, "1G": 1 << 30, "2T": 2 << 40, "10MB": 10 << 20, "0": 0} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "M", "-1", "1X", "99999999999T"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded", in)
		}
	}
}

func TestParseUMaskAndInt(t *testing.T) {
	if m, err := parseUMask("0027"); err != nil || m != 0o27 {
		t.Errorf("parseUMask = %o, %v", m, err)
	}
	if _, err := parseUMask("0999"); err == nil || err.Error() != `"0999" is not an octal umask (write e.g. 0022)` {
		t.Errorf("parseUMask(0999) error = %v", err)
	}
	if _, err := parseInt("0", 1, 10); err == nil || err.Error() != `"0" is not a whole number from 1 to 10` {
		t.Errorf("parseInt error = %v", err)
	}
}
