package journal

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestTail(t *testing.T) {
	long := strings.Repeat("z", 100<<10) // longer than one read-back chunk
	cases := []struct {
		content string
		n       int
		want    []string
	}{
		{"", 5, nil},
		{"a\nb\nc\n", 2, []string{"b", "c"}},
		{"a\nb\nc\n", 10, []string{"a", "b", "c"}},
		{"a\nb\nc", 2, []string{"b", "c"}},
		{"a\nb\nc\n", 0, nil},
		{"\n\n", 1, []string{""}},
		{"x\n" + long + "\ny\n", 2, []string{long, "y"}},
		{"x\n" + long + "\ny\n", 3, []string{"x", long, "y"}},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "log")
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Tail(path, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tail(%q, %d) = %q, want %q", trunc(c.content), c.n, got, c.want)
		}
	}
	// A log file is created on its first bytes: until then it reads as empty.
	if got, err := Tail(filepath.Join(t.TempDir(), "missing"), 1); err != nil || len(got) != 0 {
		t.Errorf("Tail of a missing file = %q, %v; want nothing and no error", got, err)
	}
}

// syncBuffer is a bytes.Buffer that a follower writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

// follow runs FollowLines in the background until the test ends.
func follow(t *testing.T, path string, n int) *syncBuffer {
	out := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- FollowLines(ctx, path, n, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("FollowLines: %v", err)
		}
	})
	return out
}

// FollowLines gives the last lines, then every line written after them,
// once and in order, across many rotations by size and on demand.
func TestFollowAcrossRotations(t *testing.T) {
	dir := t.TempDir()
	o := mustOpen(t, Config{Unit: "w", LogDir: dir, MaxBytes: 50_003, Backups: 100})
	path, _ := o.Paths()
	runChild(t, o, "out", 10, 100, 100)
	waitFor(t, "the first lines", func() bool { return o.Status().Stdout.Written == 1000 })

	out := follow(t, path, 3)
	waitFor(t, "the last 3 lines", func() bool { return bytes.Count(out.Bytes(), []byte{'\n'}) == 3 })
	runChild(t, o, "out", 30000, 100, 64<<10) // 3 MB: 60 rotations, most in mid-line
	if err := o.Rotate(); err != nil {
		t.Fatal(err)
	}
	last := appendLine(nil, "o", 29999, 100)
	waitFor(t, "the last line", func() bool { return bytes.HasSuffix(out.Bytes(), last) })
	got := out.Bytes()
	checkLines(t, got[:300], "o", 100, 7, 3)
	checkLines(t, got[300:], "o", 100, 0, 30000)
}

// Follow waits for a file that does not exist yet, and follows it through
// logrotate's move and copytruncate.
func TestFollowCreateMoveTruncate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	out := follow(t, path, 10)
	appendTo := func(s string) {
		t.Helper()
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(s)
		f.Close()
	}
	wait := func(want string) {
		t.Helper()
		waitFor(t, "follow output "+want, func() bool { return string(out.Bytes()) == want })
	}
	appendTo("one\ntw")
	wait("one\n")
	appendTo("o\n")
	wait("one\ntwo\n")
	if err := os.Rename(path, path+".1"); err != nil { // logrotate's move
		t.Fatal(err)
	}
	appendTo("three\n")
	wait("one\ntwo\nthree\n")
	if err := os.Truncate(path, 0); err != nil { // copytruncate
		t.Fatal(err)
	}
	appendTo("four\n")
	wait("one\ntwo\nthree\nfour\n")
}

// FollowLines shows the last complete lines; an unfinished last line is
// printed whole once it ends.
func TestFollowUnfinishedLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte("a\nb"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := follow(t, path, 1)
	waitFor(t, `"a\n"`, func() bool { return string(out.Bytes()) == "a\n" })
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("c\nd\n")
	waitFor(t, `"a\nbc\nd\n"`, func() bool { return string(out.Bytes()) == "a\nbc\nd\n" })
}

// Right after a rotation, Tail and FollowLines take the lines the new file
// lacks from the backups.
func TestTailReadsBackups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	for name, content := range map[string]string{backupName(path, 2): "a\nb\n", backupName(path, 1): "c\nd\n", path: "e\n"} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for n, want := range map[int]string{1: "e", 2: "d e", 4: "b c d e", 9: "a b c d e"} {
		got, err := Tail(path, n)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("Tail(%d) = %q, %v; want %q", n, got, err, want)
		}
	}
	out := follow(t, path, 3)
	waitFor(t, "the last 3 lines", func() bool { return string(out.Bytes()) == "c\nd\ne\n" })
}
