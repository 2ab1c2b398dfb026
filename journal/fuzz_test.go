package journal

import (
	"bytes"
	"os"
	"path/filepath"
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

// Rotation by size, whatever the line lengths and the chunks they arrive
// in: the files hold the input exactly, in order; none is larger than the
// limit; and every rotated file ends at a line's end, unless it is one cut
// line of exactly the limit.
func FuzzFileRotation(f *testing.F) {
	f.Add([]byte("ab\ncdefgh\n\nijklmnopqrstuvwxyz\nrest"), uint8(7), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, maxB, chunk uint8) {
		if len(data) > 2000 {
			return
		}
		max := int64(maxB%64) + 1
		path := filepath.Join(t.TempDir(), "log")
		backups := len(data) + 2 // keep every file
		s, err := openFileSink(path, Append, max, backups)
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		step := int(chunk%32) + 1
		for p := data; len(p) > 0; {
			n := min(step, len(p))
			if w, err := s.write(p[:n]); w != n || err != nil {
				t.Fatalf("write: %d, %v", w, err)
			}
			p = p[n:]
		}
		var all []byte
		for _, name := range rotatedFiles(path, backups) {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) > max {
				t.Fatalf("%s: %d bytes, limit %d", name, len(b), max)
			}
			cut := int64(len(b)) == max && bytes.IndexByte(b, '\n') < 0
			if name != path && len(b) > 0 && b[len(b)-1] != '\n' && !cut {
				t.Fatalf("%s = %q: ends inside a line that was not cut", name, b)
			}
			all = append(all, b...)
		}
		if !bytes.Equal(all, data) {
			t.Fatalf("files hold %q, want %q", all, data)
		}
	})
}
