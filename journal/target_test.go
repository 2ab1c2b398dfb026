package journal

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	good := map[string]Target{
		"":                     {},
		"null":                 {Kind: Null},
		"inherit":              {Kind: Inherit},
		"journal":              {Kind: Journal},
		" syslog ":             {Kind: Syslog},
		"append:/var/log/x":    {Kind: Append, Path: "/var/log/x"},
		"file:/tmp//a/../b":    {Kind: File, Path: "/tmp/b"},
		"truncate:/dev/stdout": {Kind: Truncate, Path: "/dev/stdout"},
	}
	for in, want := range good {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseTarget(got.String()); err != nil || back != got {
			t.Errorf("ParseTarget(%q.String() = %q) = %+v, %v", in, got.String(), back, err)
		}
	}
	bad := map[string]string{
		"append:relative/x": "not absolute",
		"append:":           "not absolute",
		"fd:web":            "unknown kind",
		"kmsg":              "not supported",
		"journal+console":   "not supported",
		"nonsense":          "unknown output target",
	}
	for in, want := range bad {
		if _, err := ParseTarget(in); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseTarget(%q) error %v, want one naming the value and saying %q", in, err, want)
		}
	}
}

func TestParseSyslogNames(t *testing.T) {
	if f, err := ParseSyslogFacility("local7"); err != nil || f != 23 {
		t.Errorf("local7 = %d, %v", f, err)
	}
	if f, err := ParseSyslogFacility(""); err != nil || f != 3 {
		t.Errorf("default facility = %d, %v; want daemon (3)", f, err)
	}
	if _, err := ParseSyslogFacility("local8"); err == nil {
		t.Error("local8 accepted")
	}
	for in, want := range map[string]int{"warning": 4, "debug": 7, "0": 0, "": 6} {
		if l, err := ParseSyslogLevel(in, 6); err != nil || l != want {
			t.Errorf("ParseSyslogLevel(%q) = %d, %v; want %d", in, l, err, want)
		}
	}
	if _, err := ParseSyslogLevel("8", 6); err == nil {
		t.Error("level 8 accepted")
	}
	for in, want := range map[string]string{"": "rfc3164", "rfc3164": "rfc3164", "rfc5424": "rfc5424"} {
		if f, err := ParseSyslogFormat(in); err != nil || f != want {
			t.Errorf("ParseSyslogFormat(%q) = %q, %v", in, f, err)
		}
	}
	if _, err := ParseSyslogFormat("json"); err == nil {
		t.Error("syslog format json accepted")
	}
	if o, err := ParseOverflow("drop"); err != nil || o != Drop {
		t.Errorf("ParseOverflow(drop) = %v, %v", o, err)
	}
	if _, err := ParseOverflow("wait"); err == nil {
		t.Error("overflow policy wait accepted")
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	cases := map[string]Config{
		"invalid unit name":  {Unit: "../x", LogDir: "/tmp"},
		"no log directory":   {Unit: "w.unit"},
		"for stderr only":    {Unit: "w.unit", Stdout: Target{Kind: ToStdout}, Stderr: Target{Kind: Null}},
		"directory does not": {Unit: "w.unit", Stdout: Target{Kind: Append, Path: "/nonexistent/dir/x.log"}, Stderr: Target{Kind: Null}},
		"unknown syslog":     {Unit: "w.unit", Stdout: Target{Kind: Syslog}, Stderr: Target{Kind: Null}, SyslogFacility: "nope"},
	}
	for want, cfg := range cases {
		o, err := Open(cfg)
		if err == nil {
			o.Close()
			t.Errorf("Open(%+v) worked, want an error saying %q", cfg, want)
		} else if !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%+v): %v, want %q", cfg, err, want)
		}
	}
}

// lineSplitter: lines whole, long lines in pieces, the unfinished rest kept.
func TestLineSplitter(t *testing.T) {
	var got []string
	l := lineSplitter{max: 8, emit: func(b []byte) error { got = append(got, string(b)); return nil }}
	for _, in := range []string{"ab", "c\nde", "f\n\n0123456789ABCDEFGH", "ij\nrest"} {
		if n, err := l.write([]byte(in)); n != len(in) || err != nil {
			t.Fatalf("write(%q) = %d, %v", in, n, err)
		}
	}
	l.flush()
	want := []string{"abc", "def", "", "01234567", "89ABCDEF", "GHij", "rest"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
}
