//go:build linux

package journal

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	children["inherit"] = childInherit
	children["devstdout"] = childDevStdout
}

// Quiet units hold no buffers and no goroutines: 1000 open Outputs that
// have each written a line stay within a few kilobytes each, add at most
// the shared waiter's goroutine, and Close leaves no goroutine behind.
func TestQuietUnitsCostLittle(t *testing.T) {
	const units = 1000
	dir := mountTmpfs(t, "64m") // 2000 files: a tmpfs creates them fast
	goroutines := runtime.NumGoroutine()
	before := memInUse()
	outs := openQuiet(t, dir, units)
	defer closeOutputs(t, outs)
	// The last copiers exit just after their line is counted.
	waitFor(t, "the copiers to exit", func() bool { return runtime.NumGoroutine() <= goroutines+maxQuietGoroutines })
	per := (memInUse() - before) / units
	t.Logf("%d bytes per quiet unit (heap and stacks)", per)
	if per > 8<<10 {
		t.Errorf("%d bytes per quiet unit; want no buffer and no goroutine stack held (≤ 8 KiB)", per)
	}
	closeOutputs(t, outs)
	outs = nil
	waitFor(t, "the copiers to exit", func() bool { return runtime.NumGoroutine() <= goroutines+maxQuietGoroutines })
}

// maxQuietGoroutines is what any number of quiet Outputs may add: the
// shared waiter, started by the first one.
const maxQuietGoroutines = 1

// BenchmarkQuietOutputs reports the memory (heap and goroutine stacks) and
// the goroutines each quiet Output costs, over 1000 that have each written
// a line to both streams.
func BenchmarkQuietOutputs(b *testing.B) {
	const units = 1000
	for i := 0; i < b.N; i++ {
		dir := benchDir(b, 64<<20) // a fresh tmpfs: the files of the previous round stay
		goroutines := runtime.NumGoroutine()
		before := memInUse()
		outs := openQuiet(b, dir, units)
		waitFor(b, "the copiers to exit", func() bool { return runtime.NumGoroutine() <= goroutines+maxQuietGoroutines })
		b.ReportMetric(float64(memInUse()-before)/units, "bytes/output")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/units, "goroutines/output")
		closeOutputs(b, outs)
	}
}

// openQuiet opens n Outputs with default files in dir and writes a line
// to each stream, so that every copier has run once and gone back to
// waiting, and waits for the lines to arrive.
func openQuiet(tb testing.TB, dir string, n int) []*Output {
	tb.Helper()
	outs := make([]*Output, 0, n)
	for i := 0; i < n; i++ {
		o, err := Open(Config{Unit: fmt.Sprintf("u%d.unit", i), LogDir: dir, MaxBytes: DefaultMaxBytes, Backups: DefaultBackups})
		if err != nil {
			closeOutputs(tb, outs)
			tb.Fatal(err)
		}
		outs = append(outs, o)
		out, errf := o.Files()
		out.WriteString("hello\n")
		errf.WriteString("oops\n")
	}
	waitFor(tb, "the lines to arrive", func() bool {
		for _, o := range outs {
			if st := o.Status(); st.Stdout.Written != 6 || st.Stderr.Written != 5 {
				return false
			}
		}
		return true
	})
	return outs
}

// closeOutputs closes outs, failing the test on the first error.
func closeOutputs(tb testing.TB, outs []*Output) {
	tb.Helper()
	for _, o := range outs {
		if err := o.Close(); err != nil {
			tb.Fatal(err)
		}
	}
}

func memInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}

// A merged stderr shares stdout's pipe and file: lines of both streams
// arrive whole (each write is at most PIPE_BUF, so the kernel keeps it in
// one piece).
func TestStderrMergedIntoStdout(t *testing.T) {
	dir := t.TempDir()
	o := mustOpen(t, Config{Unit: "w", LogDir: dir, Stderr: Target{Kind: Inherit}, MaxBytes: 100_000, Backups: 20})
	out, errf := o.Files()
	if out != errf {
		t.Fatal("Files() gives two files for a merged stderr")
	}
	if p1, p2 := o.Paths(); p1 != p2 || p1 == "" {
		t.Errorf("Paths() = %q, %q; want stdout's file twice", p1, p2)
	}
	runChild(t, o, "both", 5000, 100, 4000)
	o.Close()
	data, _ := readRotated(t, DefaultPath(dir, "w", "stdout"), 20, 100_000)
	var outLines, errLines []byte
	for len(data) > 0 {
		line := data[:100]
		data = data[100:]
		if line[0] == 'o' {
			outLines = append(outLines, line...)
		} else {
			errLines = append(errLines, line...)
		}
	}
	checkLines(t, outLines, "o", 100, 0, 5000)
	checkLines(t, errLines, "e", 100, 0, 5000)
	if _, err := os.Stat(DefaultPath(dir, "w", "stderr")); !os.IsNotExist(err) {
		t.Errorf("a stderr file was created for a merged stderr")
	}
	if st := o.Status(); st.Stderr.Sink != "stdout" || st.Stdout.Written != 1_000_000 {
		t.Errorf("status %+v", st)
	}
}

// StandardOutput=inherit gives the child the manager's own stdout, with no
// pipe in between, and StandardError=null discards stderr: a helper manager
// runs the line writer that way, and its stdout holds the lines.
func TestInheritAndNull(t *testing.T) {
	out, stderr := runHelperManager(t, "inherit")
	checkLines(t, out, "o", 100, 0, 1000)
	if len(stderr) != 0 {
		t.Errorf("stderr=null leaked %q", stderr)
	}
}

// append:/dev/stdout (a container's usual setting) is the manager's stdout
// reopened: a pipe here, written as a stream, never rotated despite a size
// limit far below the output.
func TestDevStdoutIsNotRotated(t *testing.T) {
	out, stderr := runHelperManager(t, "devstdout")
	checkLines(t, out, "o", 100, 0, 1000)
	checkLines(t, stderr, "e", 100, 0, 1000)
}

// runHelperManager runs the test binary as the helper manager mode and
// returns its stdout and stderr.
func runHelperManager(t *testing.T, mode string) (stdout, stderr []byte) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SVUNIT_JOURNAL_CHILD="+mode, "GORACE=atexit_sleep_ms=0")
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper manager %s: %v\n%s", mode, err, errBuf.Bytes())
	}
	return out, errBuf.Bytes()
}

// childDevStdout is the helper manager of TestDevStdoutIsNotRotated.
func childDevStdout() int {
	o, err := Open(Config{Unit: "w", Stdout: Target{Kind: Append, Path: "/dev/stdout"}, Stderr: Target{Kind: Append, Path: "/dev/stderr"}, MaxBytes: 1000, Backups: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := childCmd(o, "both", 1000, 100, 4096).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := o.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if st := o.Status(); st.Stdout.LastError != "" || st.Stderr.LastError != "" || st.Stdout.Written != 100000 {
		fmt.Fprintf(os.Stderr, "status %+v\n", st)
		return 1
	}
	return 0
}

// childInherit is the helper manager of TestInheritAndNull.
func childInherit() int {
	o, err := Open(Config{Unit: "w", Stdout: Target{Kind: Inherit}, Stderr: Target{Kind: Null}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer o.Close()
	out, errf := o.Files()
	if out.Fd() == os.Stdout.Fd() || errf == out {
		fmt.Fprintln(os.Stderr, "inherit must be a duplicate the Output owns, null a separate file")
		return 1
	}
	if st := o.Status(); st.Stdout.Sink != "inherit" || st.Stderr.Sink != "null" {
		fmt.Fprintf(os.Stderr, "status %+v\n", st)
		return 1
	}
	if err := childCmd(o, "both", 1000, 100, 4096).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// A busy stream's pipe grows to grownPipeMax, so that the writer runs
// ahead; a quiet one keeps the kernel's default and costs nothing more.
func TestBusyPipeGrows(t *testing.T) {
	dir := mountTmpfs(t, "64m")
	busy := mustOpen(t, Config{Unit: "busy", LogDir: dir})
	quiet := mustOpen(t, Config{Unit: "quiet", LogDir: dir})
	runChild(t, busy, "out", 20000, 100, 64<<10)
	out, _ := quiet.Files()
	out.WriteString("hello\n")
	waitFor(t, "the lines", func() bool {
		return busy.Status().Stdout.Written == 2_000_000 && quiet.Status().Stdout.Written == 6
	})
	pipeSize := func(o *Output) int {
		n, err := unix.FcntlInt(uintptr(o.stdout.fd), unix.F_GETPIPE_SZ, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := pipeSize(busy); n != grownPipeMax {
		t.Errorf("busy pipe holds %d bytes, want %d", n, grownPipeMax)
	}
	if n := pipeSize(quiet); n != 64<<10 {
		t.Errorf("quiet pipe holds %d bytes, want the default 64 KiB", n)
	}
}

// No more than maxGrownPipesRoot pipes grow at once (the tests run as
// root); a released place can be taken again.
func TestGrownPipesAreBounded(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the tests run as root (see .ci/run)")
	}
	base := grownPipes.Load()
	var grown []bool
	for i := 0; i < maxGrownPipesRoot+8; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close()
		rc, _ := r.SyscallConn()
		var ok bool
		rc.Control(func(fd uintptr) { ok = growPipe(int(fd)) })
		grown = append(grown, ok)
	}
	n := 0
	for _, g := range grown {
		if g {
			n++
		}
	}
	if want := maxGrownPipesRoot - int(base); n != want {
		t.Errorf("%d pipes grew, want %d", n, want)
	}
	for range n {
		releasePipe()
	}
	if grownPipes.Load() != base {
		t.Errorf("grownPipes = %d after release, want %d", grownPipes.Load(), base)
	}
}
