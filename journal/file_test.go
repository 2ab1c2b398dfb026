package journal

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Lines from a real child reach rotated files whole, once and in order, for
// small and large writes, on stdout and stderr at once.
func TestFileRotationKeepsLines(t *testing.T) {
	cases := []struct {
		name           string
		lineLen, write int
		lines          int
		maxBytes       int64
	}{
		{"100-byte writes", 100, 100, 20000, 100_003},
		{"64KiB writes", 100, 64 << 10, 40000, 250_007},
		{"long lines", 3001, 64 << 10, 2000, 200_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			backups := int(int64(c.lines*c.lineLen)/(c.maxBytes-int64(c.lineLen))) + 2
			o := mustOpen(t, Config{Unit: "web.unit", LogDir: dir, MaxBytes: c.maxBytes, Backups: backups})
			runChild(t, o, "both", c.lines, c.lineLen, c.write)
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct{ tag, name string }{{"o", "stdout"}, {"e", "stderr"}} {
				path := filepath.Join(dir, "web.unit."+s.name+".log")
				data, files := readRotated(t, path, backups, c.maxBytes)
				if files < 3 {
					t.Fatalf("%s: only %d files: no rotation happened", path, files)
				}
				checkLines(t, data, s.tag, c.lineLen, 0, c.lines)
			}
			st := o.Status()
			want := int64(c.lines * c.lineLen)
			if st.Stdout.Written != want || st.Stderr.Written != want || st.Stdout.Dropped+st.Stderr.Dropped != 0 {
				t.Errorf("status %+v, want %d bytes written per stream and none dropped", st, want)
			}
		})
	}
}

// When only the oldest backups are kept, the newest lines survive, still
// whole and in order.
func TestFileRotationDropsOldestBackups(t *testing.T) {
	dir := t.TempDir()
	o := mustOpen(t, Config{Unit: "w", LogDir: dir, MaxBytes: 10_000, Backups: 2})
	runChild(t, o, "out", 2000, 50, 4096)
	o.Close()
	data, files := readRotated(t, DefaultPath(dir, "w", "stdout"), 5, 10_000)
	if files != 3 {
		t.Fatalf("%d files, want the log and 2 backups", files)
	}
	// The expired backups were removed (in the background, waited for by
	// Close): only stdout's log and backups are left (stderr wrote nothing,
	// so it has no file).
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left: %q, want w.stdout.log and its 2 backups", names)
	}
	n := len(data) / 50
	checkLines(t, data, "o", 50, 2000-n, n)
}

// A line longer than the size limit is cut at the limit, and nothing else.
func TestFileRotationCutsLongLine(t *testing.T) {
	dir := t.TempDir()
	o := mustOpen(t, Config{Unit: "w", LogDir: dir, MaxBytes: 1000, Backups: 5})
	out, _ := o.Files()
	long := strings.Repeat("y", 2500) + "\n"
	if _, err := out.WriteString("short\n" + long + "after\n"); err != nil {
		t.Fatal(err)
	}
	o.Close()
	path := DefaultPath(dir, "w", "stdout")
	var got []string
	for _, name := range []string{backupName(path, 3), backupName(path, 2), backupName(path, 1), path} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 1000 {
			t.Errorf("%s: %d bytes, more than the limit", name, len(b))
		}
		got = append(got, string(b))
	}
	if strings.Join(got, "") != "short\n"+long+"after\n" {
		t.Errorf("content changed across the cut")
	}
	if got[0] != "short\n" {
		t.Errorf("first file %q, want the short line alone (the long one starts a new file)", trunc(got[0]))
	}
}

// A file already at or beyond the limit when it is opened (the limit was
// lowered, or logrotate left a big file) is rotated before the first write.
func TestOpenOversizeFile(t *testing.T) {
	for _, old := range []string{strings.Repeat("old line\n", 500), "x\n" + strings.Repeat("y", 3000)} {
		dir := t.TempDir()
		path := DefaultPath(dir, "w", "stdout")
		if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
		o := mustOpen(t, Config{Unit: "w", LogDir: dir, MaxBytes: 1000, Backups: 3})
		out, _ := o.Files()
		out.WriteString("new\n")
		o.Close()
		if st := o.Status().Stdout; st.Written != 4 || st.LastError != "" {
			t.Errorf("status %+v", st)
		}
		assertFile(t, path, "new\n")
		b, _ := os.ReadFile(backupName(path, 1))
		if string(b) != old {
			t.Errorf("the old file was not kept whole as the first backup: %d bytes", len(b))
		}
	}
}

// Rotate and Reopen, as svunit logs --rotate and logrotate use them.
func TestRotateAndReopen(t *testing.T) {
	dir := t.TempDir()
	o := mustOpen(t, Config{Unit: "w", LogDir: dir, Backups: 3})
	out, _ := o.Files()
	path, _ := o.Paths()
	write := func(s string) {
		t.Helper()
		before := o.Status().Stdout.Written
		if _, err := out.WriteString(s); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the write to reach the sink", func() bool { return o.Status().Stdout.Written == before+int64(len(s)) })
	}
	write("one\ntw")
	if err := o.Rotate(); err != nil {
		t.Fatal(err)
	}
	write("o\n")
	assertFile(t, backupName(path, 1), "one\n")
	assertFile(t, path, "two\n")

	// logrotate: move the file away, then tell svunit.
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	write("three\n")
	if err := o.Reopen(); err != nil {
		t.Fatal(err)
	}
	write("four\n")
	assertFile(t, path+".moved", "two\nthree\n")
	assertFile(t, path, "four\n")
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Errorf("%s = %q, want %q", path, b, want)
	}
}

// A log file removed behind svunit's back is created again once a megabyte
// more arrives, and the status says nothing failed.
func TestFileRemovedIsRecreated(t *testing.T) {
	dir := t.TempDir()
	o := mustOpen(t, Config{Unit: "w", LogDir: dir})
	path, _ := o.Paths()
	runChild(t, o, "out", 10, 100, 100)
	waitFor(t, "the first lines", func() bool { return o.Status().Stdout.Written == 1000 })
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	runChild(t, o, "out", 30000, 100, 4096) // 3 MB: more than checkEveryBytes
	o.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("log file not recreated: %v", err)
	}
	if !strings.HasSuffix(string(b), string(appendLine(nil, "o", 29999, 100))) {
		t.Errorf("recreated file does not end with the last line")
	}
	if n := len(b) / 100; n < 30000-(checkEveryBytes+spliceMax)/100 {
		t.Errorf("recreated file holds %d lines; too many went to the removed file", n)
	}
}

// A FIFO (or /dev/stdout in a container) is written as a stream: no seek,
// no rotation, no error (Supervisor's "Illegal seek").
func TestFIFOSink(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Config{Unit: "w", Stdout: Target{Kind: Append, Path: fifo}, Stderr: Target{Kind: Null}, MaxBytes: 1000})
	if err == nil || !strings.Contains(err.Error(), "no process is reading") || !strings.Contains(err.Error(), fifo) {
		t.Fatalf("open a FIFO without reader: %v, want an error naming it", err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	o := mustOpen(t, Config{Unit: "w", Stdout: Target{Kind: Append, Path: fifo}, Stderr: Target{Kind: Null}, MaxBytes: 1000})
	if p, _ := o.Paths(); p != "" {
		t.Errorf("Paths() = %q for a FIFO, want none", p)
	}
	got := make(chan []byte)
	go func() { b, _ := readAllFIFO(r); got <- b }()
	runChild(t, o, "out", 500, 100, 4096)
	o.Close()
	checkLines(t, <-got, "o", 100, 0, 500)
	if st := o.Status().Stdout; st.LastError != "" || st.Written != 50000 {
		t.Errorf("status %+v", st)
	}
}

// readAllFIFO reads r until every writer has gone.
func readAllFIFO(r *os.File) ([]byte, error) {
	var all []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		all = append(all, buf[:n]...)
		if err != nil {
			return all, err
		}
	}
}
