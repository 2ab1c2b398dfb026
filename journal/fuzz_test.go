package journal

import (
	"bytes"
	"testing"
)

// ParseTarget never panics, and what it accepts round-trips.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"", "null", "inherit", "journal", "syslog", "append:/a", "file:/a/../b", "truncate:x", "kmsg", "append:", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		back, err := ParseTarget(tg.String())
		if err != nil || back != tg {
			t.Fatalf("ParseTarget(%q) = %+v; its String %q parses to %+v, %v", s, tg, tg.String(), back, err)
		}
	})
}

// The line splitter loses and invents nothing: its lines, joined with the
// newlines it consumed, are the input, whatever the chunking.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("a\nbc\n\nlong line here\nrest"), uint8(3), uint8(5))
	f.Fuzz(func(t *testing.T, in []byte, cut, max uint8) {
		var got [][]byte
		l := lineSplitter{max: int(max%16) + 1}
		l.emit = func(b []byte) error { got = append(got, append([]byte(nil), b...)); return nil }
		c := min(int(cut), len(in))
		for _, part := range [][]byte{in[:c], in[c:]} {
			if n, err := l.write(part); n != len(part) || err != nil {
				t.Fatalf("write(%q) = %d, %v", part, n, err)
			}
		}
		l.flush()
		var rebuilt []byte
		rest := in
		for _, line := range got {
			if len(line) > l.max {
				t.Fatalf("line %q longer than %d", line, l.max)
			}
			if !bytes.HasPrefix(rest, line) {
				t.Fatalf("line %q is not next in %q", line, rest)
			}
			rest = rest[len(line):]
			rebuilt = append(rebuilt, line...)
			if len(rest) > 0 && rest[0] == '\n' {
				rest = rest[1:]
				rebuilt = append(rebuilt, '\n')
			}
		}
		if len(rest) != 0 {
			t.Fatalf("input %q: %q never emitted", in, rest)
		}
	})
}
