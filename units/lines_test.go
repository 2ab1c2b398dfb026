package units

import (
	"strings"
	"testing"
)

// TestScanLinesPositions checks that every option gets the line it starts
// on, across continuations, comments (skipped inside continued values,
// never continued themselves), blank lines
// and CRLF endings, and that the zip with go-systemd's options agrees.
func TestScanLinesPositions(t *testing.T) {
	src := "\ufeff# comment\r\n" + // 1, after a byte-order mark
		"[Unit]\r\n" + // 2
		"Description=first\n" + // 3
		"; a comment ending in a backslash does not continue \\\n" + // 4
		"Description=second\n" + // 5
		"\n" + // 6
		"[Service]\n" + // 7
		"ExecStart=/bin/echo a \\\r\n" + // 8: CRLF continues too
		"  b \\\n" + // 9
		"  c\n" + // 10
		"  Environment=A=1\n" + // 11
		"[X-Mine]\n" + // 12
		"Anything = goes\n" + // 13
		"[Service]\n" + // 14
		"ExecStartPre=/bin/a \\\n" + // 15
		"# a comment inside a continued value is skipped, as systemd does\n" + // 16
		"   ; so is this one\n" + // 17
		"  b\n" + // 18
		"Type=simple\n" // 19
	opts, sections, errs := readOptions("f.unit", []byte(src))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []option{
		{"Unit", "Description", "first", 3, 2, ""},
		{"Unit", "Description", "second", 5, 2, ""},
		{"Service", "ExecStart", "/bin/echo a    b    c", 8, 7, ""},
		{"Service", "Environment", "A=1", 11, 7, ""},
		{"X-Mine", "Anything", "goes", 13, 12, ""},
		{"Service", "ExecStartPre", "/bin/a    b", 15, 7, ""},
		{"Service", "Type", "simple", 19, 7, ""},
	}
	if len(opts) != len(want) {
		t.Fatalf("got %d options %v, want %d", len(opts), opts, len(want))
	}
	for i := range want {
		if opts[i] != want[i] {
			t.Errorf("option %d = %+v, want %+v", i, opts[i], want[i])
		}
	}
	if sections["Unit"] != 2 || sections["Service"] != 7 || sections["X-Mine"] != 12 { // first headers
		t.Errorf("section lines = %v", sections)
	}
}

// TestScanLinesSyntaxErrors checks that every syntax error of a file is
// reported with its line, not just the first.
func TestScanLinesSyntaxErrors(t *testing.T) {
	src := "Orphan=1\n" + // 1
		"[Service\n" + // 2
		"[Service] trailing\n" + // 3
		"NoEquals\n" + // 4
		"=value\n" + // 5
		"ExecStart=/bin/" + strings.Repeat("x", maxLine) + "\n" + // 6
		"Environment=A=\x00\n" + // 7
		"Environment=A=\xff\n" // 8
	_, _, errs := readOptions("f.unit", []byte(src))
	want := []string{
		"f.unit:1: Orphan= comes before any section header (put it under [Unit], [Service] or [Install])",
		`f.unit:2: section header "[Service" has no closing ']'`,
		`f.unit:3: text after section header [Service]: "trailing" (put each directive on its own line)`,
		`f.unit:4: line "NoEquals" is neither a section header, a comment nor NAME=VALUE`,
		"f.unit:5: directive with an empty name (write NAME=VALUE)",
		"f.unit:6: line is 2063 bytes long, the limit is 2047 (split it with a backslash at the end of a line)",
		"f.unit:7: line is not valid UTF-8 text (save the file as UTF-8, without NUL bytes)",
		"f.unit:8: line is not valid UTF-8 text (save the file as UTF-8, without NUL bytes)",
	}
	checkErrors(t, errs, want)
}

// checkErrors compares an ErrorList with the exact messages expected.
func checkErrors(t *testing.T, errs ErrorList, want []string) {
	t.Helper()
	errs.Sort()
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
