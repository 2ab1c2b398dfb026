package main

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/pflag"
)

// pflagNoise matches what pflag's own renderer writes and svunit's help
// must not: "[=true|false]" after booleans, and Go type names as values.
var pflagNoise = regexp.MustCompile(`\[=true\|false\]|--[a-z-]+ (string|stringArray|int|bool|uint|duration)\b`)

// TestUXHelp reads every verb's help as a user does, through the binary:
// 'svunit VERB --help' and 'svunit help VERB' print the same clean text.
func TestUXHelp(t *testing.T) {
	bin := buildSvunit(t)
	top, _, code := runSvunit(t, bin, "help")
	if code != 0 {
		t.Fatalf("svunit help: exit %d", code)
	}
	checkHelpText(t, "svunit help", top)
	for _, want := range []string{"  -h, --help ", "      --version ", "docs/from-supervisor.md"} {
		if !strings.Contains(top, want) {
			t.Errorf("svunit help lacks %q", want)
		}
	}
	var verbs []string
	for name, c := range commands {
		if c.hidden {
			continue
		}
		verbs = append(verbs, name)
		if n := len(regexp.MustCompile(`(?m)^  `+regexp.QuoteMeta(name)+` +\S`).FindAllString(top, -1)); n != 1 {
			t.Errorf("svunit help lists %s %d times, want once", name, n)
		}
	}
	for _, s := range helpSections {
		for _, v := range s.verbs {
			if lookup(v) == nil {
				t.Errorf("help section %q names %s, which is no verb", s.title, v)
			}
		}
	}
	sort.Strings(verbs)
	for _, v := range verbs {
		out, errOut, code := runSvunit(t, bin, v, "--help")
		if code != 0 || errOut != "" {
			t.Errorf("svunit %s --help: exit %d, stderr %q", v, code, errOut)
		}
		if !strings.HasPrefix(out, "Usage: svunit "+v) {
			t.Errorf("svunit %s --help starts %q", v, strings.SplitN(out, "\n", 2)[0])
		}
		checkHelpText(t, "svunit "+v+" --help", out)
		if viaHelp, _, _ := runSvunit(t, bin, "help", v); viaHelp != out {
			t.Errorf("svunit help %s differs from svunit %s --help:\n%s\n---\n%s", v, v, viaHelp, out)
		}
	}

	// Booleans read as switches, values are named, defaults unquoted.
	logs, _, _ := runSvunit(t, bin, "logs", "--help")
	for _, want := range []string{"  -f, --follow ", "  -n, --lines N ", "(default 10)", "      --bus PATH ", "  -o, --output text|json ", "(default text)"} {
		if !strings.Contains(logs, want) {
			t.Errorf("svunit logs --help lacks %q:\n%s", want, logs)
		}
	}

	// The service verbs other than install-service do not offer the
	// flags that only shape the installed file.
	install, _, _ := runSvunit(t, bin, "install-service", "--help")
	status, _, _ := runSvunit(t, bin, "service-status", "--help")
	if !strings.Contains(install, "--exe PATH") || strings.Contains(status, "--exe") || strings.Contains(status, "generate TARGET") {
		t.Errorf("install-service offers --exe: %v; service-status offers it or talks of the installed file: %v",
			strings.Contains(install, "--exe PATH"), strings.Contains(status, "--exe"))
	}
}

// checkHelpText fails the test for pflag noise, trailing blanks and lines
// wider than a terminal's 80 columns.
func checkHelpText(t *testing.T, what, text string) {
	t.Helper()
	if m := pflagNoise.FindString(text); m != "" {
		t.Errorf("%s shows %q", what, m)
	}
	for _, l := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("%s: line of %d columns: %q", what, n, l)
		}
		if strings.TrimRight(l, " \t") != l {
			t.Errorf("%s: trailing blanks: %q", what, l)
		}
	}
}

func TestFlagUsages(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.BoolP("follow", "f", false, "keep going")
	fs.String("bus", "", "the socket")
	fs.String("thing", "", "a `WIDGET` to use")
	fs.String("other", "", "something else")
	fs.StringP("signal", "s", "TERM", "the signal")
	fs.Int("count", 3, "how many")
	fs.Bool("secret", false, "not shown")
	fs.MarkHidden("secret")
	fs.String("long", "", strings.Repeat("word ", 30))
	got := flagUsages(fs)
	want := []string{
		"      --bus PATH        the socket",
		"      --count N         how many (default 3)",
		"  -f, --follow          keep going",
		"      --long VALUE      word word word word word word word word word word word",
		"                        word word word word word word word word word word word",
		"                        word word word word word word word word",
		"      --other VALUE     something else",
		"  -s, --signal SIGNAL   the signal (default TERM)",
		"      --thing WIDGET    a WIDGET to use",
	}
	if got != strings.Join(want, "\n")+"\n" {
		t.Errorf("flagUsages:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
