package journal

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// assertMissing fails the test if path exists.
func assertMissing(t *testing.T, path, why string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s exists (%v); want no file %s", path, err, why)
	}
}

// Default and append: files are created on their first bytes: a stream
// that writes nothing costs no file, even across Reopen, Rotate and Close.
func TestLazyFileCreatedOnFirstBytes(t *testing.T) {
	for _, kind := range []string{"default", "append"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cfg := Config{Unit: "w", LogDir: dir, Backups: 2}
			if kind == "append" {
				cfg.Stdout = Target{Kind: Append, Path: filepath.Join(dir, "out.log")}
				cfg.Stderr = Target{Kind: Append, Path: filepath.Join(dir, "err.log")}
			}
			o := mustOpen(t, cfg)
			outPath, errPath := o.Paths()
			if outPath == "" || errPath == "" || outPath == errPath {
				t.Fatalf("Paths() = %q, %q; want both files named before they exist", outPath, errPath)
			}
			assertMissing(t, outPath, "before the first byte")
			if err := o.Reopen(); err != nil {
				t.Fatalf("Reopen with no file yet: %v", err)
			}
			if err := o.Rotate(); err != nil {
				t.Fatalf("Rotate with no file yet: %v", err)
			}
			assertMissing(t, outPath, "after Reopen and Rotate")
			assertMissing(t, backupName(outPath, 1), "after Rotate")
			if lines, err := Tail(outPath, 10); err != nil || len(lines) != 0 {
				t.Errorf("Tail before the first byte = %q, %v; want nothing", lines, err)
			}

			runChild(t, o, "out", 10, 100, 100)
			waitFor(t, "the lines to reach the file", func() bool { return o.Status().Stdout.Written == 1000 })
			if st := o.Status(); st.Stdout.Error != "" || st.Stdout.Dropped != 0 {
				t.Errorf("status after the first lines: %+v", st)
			}
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(outPath)
			if err != nil {
				t.Fatalf("stdout file after the first bytes: %v", err)
			}
			checkLines(t, b, "o", 100, 0, 10)
			assertMissing(t, errPath, "for a stderr that wrote nothing")
		})
	}
}

// append keeps what the file held; truncate and file open (and truncate) at
// Open, so a program that never writes still finds the file truncated.
func TestLazyAppendKeepsTruncateEager(t *testing.T) {
	dir := t.TempDir()
	app, trunc := filepath.Join(dir, "app.log"), filepath.Join(dir, "trunc.log")
	for _, p := range []string{app, trunc} {
		if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := mustOpen(t, Config{Unit: "w", Stdout: Target{Kind: Append, Path: app}, Stderr: Target{Kind: Truncate, Path: trunc}})
	assertFile(t, trunc, "")
	out, _ := o.Files()
	if _, err := out.WriteString("new\n"); err != nil {
		t.Fatal(err)
	}
	o.Close()
	assertFile(t, app, "old\nnew\n")
}

// Open still refuses, naming the path, what the first write could not
// open: a missing directory, a directory in place of the file.
func TestLazyBadPathsFailAtOpen(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing", "out.log"), "its directory does not exist"},
		{dir, "is a directory"},
	}
	for _, c := range cases {
		o, err := Open(Config{Unit: "w", Stdout: Target{Kind: Append, Path: c.path}, Stderr: Target{Kind: Null}})
		if err == nil {
			o.Close()
			t.Errorf("Open(append:%s) worked; want an error", c.path)
			continue
		}
		if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(append:%s) = %v; want the path and %q", c.path, err, c.want)
		}
	}
	if os.Geteuid() != 0 { // root may write anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(ro, "out.log")
		if o, err := Open(Config{Unit: "w", Stdout: Target{Kind: Append, Path: p}}); err == nil {
			o.Close()
			t.Errorf("Open(append:%s) in a read-only directory worked", p)
		}
	}
}

// A lazy open that fails (the directory went away) is counted as any
// failed write: the status shows the error and the bytes dropped, and
// capture resumes once the file can be created.
func TestLazyOpenFailsThenRecovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	o := mustOpen(t, Config{Unit: "w", LogDir: dir})
	path, _ := o.Paths()
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	runChild(t, o, "out", 10, 100, 100)
	waitFor(t, "the lost lines to be counted", func() bool { return o.Status().Stdout.Dropped == 1000 })
	st := o.Status().Stdout
	if !strings.Contains(st.Error, path) || st.Written != 0 {
		t.Fatalf("status after a failed first open: %+v; want the error naming %s", st, path)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	runChild(t, o, "out", 10, 100, 100)
	waitFor(t, "capture to resume", func() bool { return o.Status().Stdout.Written == 1000 })
	if st := o.Status().Stdout; st.Error != "" || st.LastError == "" {
		t.Errorf("status after recovery: %+v; want no current error, the last one kept", st)
	}
	o.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, b, "o", 100, 0, 10)
}

// BenchmarkOpen1000 opens the default outputs of 1000 units in a fresh
// directory of $TMPDIR (a disk, not a tmpfs: creating files there is what
// lazy opening saves) and reports the time per Open.
func BenchmarkOpen1000(b *testing.B) {
	const units = 1000
	var total time.Duration
	for i := 0; i < b.N; i++ {
		dir, err := os.MkdirTemp("", "open")
		if err != nil {
			b.Fatal(err)
		}
		outs := make([]*Output, 0, units)
		t0 := time.Now()
		for u := 0; u < units; u++ {
			o, err := Open(Config{Unit: "u" + strconv.Itoa(u), LogDir: dir})
			if err != nil {
				b.Fatal(err)
			}
			outs = append(outs, o)
		}
		total += time.Since(t0)
		for _, o := range outs {
			o.Close()
		}
		os.RemoveAll(dir)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N*units), "µs/open")
}
