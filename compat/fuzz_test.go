package compat

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
)

// FuzzGenerate feeds arbitrary names and paths to every generator: each
// either refuses them or writes a file in which no value broke out of its
// line (systemd, plist) — and none panics.
func FuzzGenerate(f *testing.F) {
	f.Add("svunit", sampleExe, "/etc/svunit/units", "/run/svunit/bus", "/var/log/svunit.log", false)
	f.Add("dev.svunit", hostile+"/svunit", hostile, reevaluable, hostile+"/log", true)
	f.Fuzz(func(t *testing.T, name, exe, units, bus, log string, user bool) {
		o := Options{Name: name, Executable: exe, Units: units, Bus: bus, LogFile: log, User: user}
		for _, tgt := range Targets {
			out, err := Generate(tgt, o)
			if err != nil {
				continue
			}
			if tgt == Launchd {
				if argv := plistArgs(t, out); !slices.Equal(argv, append([]string{exe}, o.DaemonArgs()...)) {
					t.Errorf("ProgramArguments read back as %q", argv)
				}
			}
			if tgt == Systemd && strings.Count(string(out), "\n") != strings.Count(string(mustGenerate(t, tgt, user)), "\n") {
				t.Errorf("a value added lines to the systemd unit:\n%s", out)
			}
		}
	})
}

// mustGenerate returns tgt's output for plain paths.
func mustGenerate(t *testing.T, tgt Target, user bool) []byte {
	out, err := Generate(tgt, Options{Executable: sampleExe, User: user})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plistArgs reads ProgramArguments back from a plist with encoding/xml.
func plistArgs(t *testing.T, plist []byte) []string {
	d := xml.NewDecoder(bytes.NewReader(plist))
	var argv []string
	var key string
	inArgs := false
	for {
		tok, err := d.Token()
		if err != nil {
			return argv
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			var text string
			switch tok.Name.Local {
			case "key":
				if err := d.DecodeElement(&text, &tok); err != nil {
					t.Fatal(err)
				}
				key = text
			case "array":
				inArgs = key == "ProgramArguments"
			case "string":
				if err := d.DecodeElement(&text, &tok); err != nil {
					t.Fatal(err)
				}
				if inArgs {
					argv = append(argv, text)
				}
			}
		case xml.EndElement:
			if tok.Name.Local == "array" {
				inArgs = false
			}
		}
	}
}
