package journal

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// The test binary is also the child that writes numbered lines: run with
// SVUNIT_JOURNAL_CHILD=lines it writes LINES lines of LINELEN bytes to the
// streams in STREAMS ("out", "err" or "both"), WRITE bytes per write(2).
func TestMain(m *testing.M) {
	mode := os.Getenv("SVUNIT_JOURNAL_CHILD")
	if mode == "" {
		os.Exit(m.Run())
	}
	child, ok := children[mode]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown SVUNIT_JOURNAL_CHILD", mode)
		os.Exit(2)
	}
	os.Exit(child())
}

// children are the roles the test binary plays when re-executed, by
// SVUNIT_JOURNAL_CHILD; Linux-only tests add theirs from init.
var children = map[string]func() int{"lines": childLines}

func childLines() int {
	if os.Getenv("WAIT_STDIN") != "" {
		// Wait until the parent has recorded our pid.
		if _, err := os.Stdin.Read(make([]byte, 1)); err != nil {
			return 1
		}
	}
	n, _ := strconv.Atoi(os.Getenv("LINES"))
	size, _ := strconv.Atoi(os.Getenv("LINELEN"))
	chunk, _ := strconv.Atoi(os.Getenv("WRITE"))
	var outs []*lineWriter
	switch os.Getenv("STREAMS") {
	case "out":
		outs = []*lineWriter{{f: os.Stdout, tag: "o"}}
	case "err":
		outs = []*lineWriter{{f: os.Stderr, tag: "e"}}
	default:
		outs = []*lineWriter{{f: os.Stdout, tag: "o"}, {f: os.Stderr, tag: "e"}}
	}
	for i := 0; i < n; i++ {
		for _, w := range outs {
			w.buf = appendLine(w.buf, w.tag, i, size)
			if len(w.buf) >= chunk {
				if err := w.flush(chunk); err != nil {
					return 1
				}
			}
		}
	}
	for _, w := range outs {
		if err := w.flush(1); err != nil {
			return 1
		}
	}
	return 0
}

type lineWriter struct {
	f   *os.File
	tag string
	buf []byte
}

// flush writes buf in writes of exactly chunk bytes, and the rest when
// chunk is 1.
func (w *lineWriter) flush(chunk int) error {
	for len(w.buf) >= chunk && len(w.buf) > 0 {
		n := chunk
		if chunk == 1 {
			n = len(w.buf)
		}
		if _, err := w.f.Write(w.buf[:n]); err != nil {
			return err
		}
		w.buf = w.buf[n:]
	}
	w.buf = append([]byte(nil), w.buf...)
	return nil
}

// appendLine appends line i of stream tag: "tag 00000042 xxx…\n", size
// bytes in all.
func appendLine(b []byte, tag string, i, size int) []byte {
	start := len(b)
	b = fmt.Appendf(b, "%s %08d ", tag, i)
	for len(b)-start < size-1 {
		b = append(b, 'x')
	}
	return append(b, '\n')
}

// runChild runs the line writer with stdout and stderr from o and waits
// for it.
func runChild(t testing.TB, o *Output, streams string, lines, lineLen, write int) {
	t.Helper()
	cmd := childCmd(o, streams, lines, lineLen, write)
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v", err)
	}
}

func childCmd(o *Output, streams string, lines, lineLen, write int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "SVUNIT_JOURNAL_CHILD=lines", "STREAMS="+streams,
		"LINES="+strconv.Itoa(lines), "LINELEN="+strconv.Itoa(lineLen), "WRITE="+strconv.Itoa(write))
	cmd.Stdout, cmd.Stderr = o.Files()
	return cmd
}

// checkLines checks that data holds lines 0..n-1 of stream tag, each once,
// in order, whole. lineLen 0 accepts any length.
func checkLines(t testing.TB, data []byte, tag string, lineLen, first, n int) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	next := first
	for sc.Scan() {
		line := sc.Text()
		var got int
		if _, err := fmt.Sscanf(line, tag+" %08d ", &got); err != nil {
			t.Fatalf("line %d: %q is not a %q line: %v", next, trunc(line), tag, err)
		}
		if got != next {
			t.Fatalf("line %d: got number %d: lines lost, repeated or reordered (%q)", next, got, trunc(line))
		}
		if lineLen > 0 && len(line)+1 != lineLen {
			t.Fatalf("line %d: %d bytes, want %d: split or merged (%q)", next, len(line)+1, lineLen, trunc(line))
		}
		next++
	}
	if next != first+n {
		t.Fatalf("got lines %d..%d of stream %s, want %d..%d", first, next-1, tag, first, first+n-1)
	}
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// readRotated returns the backups of path (oldest first) and path itself,
// concatenated, and checks that every file ends with a newline and none is
// larger than maxBytes.
func readRotated(t testing.TB, path string, backups int, maxBytes int64) ([]byte, int) {
	t.Helper()
	var all []byte
	files := 0
	for _, name := range rotatedFiles(path, backups) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files++
		if len(b) > 0 && b[len(b)-1] != '\n' {
			t.Fatalf("%s ends in the middle of a line: %q", name, trunc(string(b[max(0, len(b)-60):])))
		}
		if maxBytes > 0 && int64(len(b)) > maxBytes {
			t.Fatalf("%s has %d bytes, more than the %d allowed", name, len(b), maxBytes)
		}
		all = append(all, b...)
	}
	return all, files
}

// rotatedFiles returns the names of path's backups that exist, oldest
// first, then path if it exists.
func rotatedFiles(path string, backups int) []string {
	var names []string
	for i := backups; i >= 0; i-- {
		name := path
		if i > 0 {
			name = backupName(path, i)
		}
		if _, err := os.Stat(name); err == nil {
			names = append(names, name)
		}
	}
	return names
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// mustOpen opens cfg and closes it when the test ends.
func mustOpen(t testing.TB, cfg Config) *Output {
	t.Helper()
	o, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}
