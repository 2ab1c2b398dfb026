//go:build linux

package journal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts
// it when the test ends.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("mount a tmpfs (tests run as root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// On a full disk the child goes on unhindered, the status shows the error
// and counts the loss, the file holds only whole lines, and capture resumes
// once there is space again.
func TestDiskFull(t *testing.T) {
	for _, write := range []int{100, 64 << 10} {
		t.Run(map[int]string{100: "100-byte writes", 64 << 10: "64KiB writes"}[write], func(t *testing.T) {
			dir := mountTmpfs(t, "1m")
			ballast := filepath.Join(dir, "ballast")
			if err := os.WriteFile(ballast, make([]byte, 512<<10), 0o644); err != nil {
				t.Fatal(err)
			}
			o := mustOpen(t, Config{Unit: "w", LogDir: dir})
			runChild(t, o, "out", 20000, 100, write) // 2 MB into 0.5 MB of space
			waitFor(t, "all bytes accounted for", func() bool {
				st := o.Status().Stdout
				return st.Written+st.Dropped == 2_000_000
			})
			st := o.Status().Stdout
			if st.Dropped == 0 || !strings.Contains(st.Error, "no space left") {
				t.Fatalf("status on a full disk: %+v; want the error and a count of dropped bytes", st)
			}
			path, _ := o.Paths()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != st.Written {
				t.Errorf("file has %d bytes, status says %d written", len(b), st.Written)
			}
			checkWholeLines(t, b, 100)

			if err := os.Remove(ballast); err != nil {
				t.Fatal(err)
			}
			runChild(t, o, "out", 100, 100, write)
			waitFor(t, "capture to resume", func() bool { return o.Status().Stdout.Error == "" })
			o.Close()
			b, _ = os.ReadFile(path)
			checkWholeLines(t, b, 100)
			if !bytes.HasSuffix(b, appendLine(nil, "o", 99, 100)) {
				t.Errorf("the lines written after space came back are missing")
			}
		})
	}
}

// checkWholeLines checks that b holds only whole lines of the line writer,
// each numbered above the one before.
func checkWholeLines(t *testing.T, b []byte, lineLen int) {
	t.Helper()
	if len(b)%lineLen != 0 {
		t.Fatalf("%d bytes: not whole %d-byte lines", len(b), lineLen)
	}
	for i := 0; i < len(b); i += lineLen {
		line := b[i : i+lineLen]
		if line[0] != 'o' || line[lineLen-1] != '\n' || bytes.IndexByte(line[:lineLen-1], '\n') >= 0 {
			t.Fatalf("broken line at offset %d: %q", i, trunc(string(line)))
		}
	}
}

// Under Overflow Drop a sink that does not keep up never blocks the child:
// what does not fit is dropped and counted. Under Block the child waits,
// and nothing is lost.
func TestOverflowPolicy(t *testing.T) {
	for _, policy := range []Overflow{Drop, Block} {
		t.Run(policy.String(), func(t *testing.T) {
			fifo, r := makeFIFO(t)
			o := mustOpen(t, Config{Unit: "w", Stdout: Target{Kind: Append, Path: fifo}, Stderr: Target{Kind: Null}, Overflow: policy})
			// Nobody reads the FIFO yet: the sink is stuck.
			child := childCmd(o, "out", 30000, 100, 4096) // 3 MB, far more than the pipes and the queue hold
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- child.Wait() }()
			got := make(chan []byte)
			if policy == Drop {
				select {
				case err := <-exited:
					if err != nil {
						t.Fatal(err)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("the child is blocked by a stuck sink under Overflow Drop")
				}
				waitFor(t, "the drops to be counted", func() bool { return o.Status().Stdout.Dropped > 0 })
				go func() { b, _ := readAllFIFO(r); got <- b }()
			} else {
				waitFor(t, "the pipe to fill", func() bool { return o.Status().Stdout.Written > 0 })
				select {
				case <-exited:
					t.Fatal("the child finished 3 MB through a stuck sink under Overflow Block")
				default:
				}
				go func() { b, _ := readAllFIFO(r); got <- b }()
				if err := <-exited; err != nil {
					t.Fatal(err)
				}
			}
			o.Close()
			data := <-got
			st := o.Status().Stdout
			if int64(len(data)) != st.Written || st.Written+st.Dropped != 3_000_000 {
				t.Errorf("read %d bytes; status %+v", len(data), st)
			}
			if policy == Block {
				checkLines(t, data, "o", 100, 0, 30000)
			}
		})
	}
}

// Close returns even when the sink is stuck (a FIFO nobody reads) and the
// copier is blocked writing to it: the stuck write is aborted and counted.
func TestCloseWithStuckSink(t *testing.T) {
	fifo, r := makeFIFO(t)
	o, err := Open(Config{Unit: "w", Stdout: Target{Kind: Append, Path: fifo}, Stderr: Target{Kind: Null}})
	if err != nil {
		t.Fatal(err)
	}
	child := childCmd(o, "out", 10000, 100, 4096) // 1 MB: more than the pipe and the FIFO hold
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// The FIFO fills up; the copier, with more to write, blocks on it, and
	// the child on the full pipe. Reopen and Rotate (svunit reload) must
	// not wait for them.
	waitFor(t, "the FIFO to fill", func() bool {
		var n int
		rc, _ := r.SyscallConn()
		rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }) // FIONREAD: bytes in the FIFO
		return n >= 64<<10
	})
	reopened := make(chan error)
	go func() { reopened <- errors.Join(o.Reopen(), o.Rotate()) }()
	select {
	case err := <-reopened:
		if err != nil {
			t.Errorf("Reopen, Rotate on a FIFO: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Reopen or Rotate waits for a stuck sink")
	}
	closed := make(chan error)
	go func() { closed <- o.Close() }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs on a stuck sink")
	}
	// With the pipe's read end closed, the child's next write fails.
	exited := make(chan error)
	go func() { exited <- child.Wait() }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		child.Process.Kill()
		t.Fatal("the child is still blocked after Close")
	}
	if st := o.Status().Stdout; st.Dropped == 0 || st.LastError == "" {
		t.Errorf("status after an aborted write: %+v", st)
	}
}

// makeFIFO makes a FIFO and opens its read end (closed when the test
// ends), so that a sink can open it for writing.
func makeFIFO(t *testing.T) (string, *os.File) {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return fifo, r
}

// A lazily opened path that became a FIFO before the first bytes is
// written as a stream, not spliced as a file.
func TestLazyPathBecomesFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.log")
	o := mustOpen(t, Config{Unit: "w", Stdout: Target{Kind: Append, Path: path}, Stderr: Target{Kind: Null}})
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out, _ := o.Files()
	if _, err := out.WriteString("hello\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the line to reach the FIFO", func() bool { return o.Status().Stdout.Written == 6 })
	if st := o.Status().Stdout; st.Error != "" || st.Dropped != 0 {
		t.Fatalf("status writing to a FIFO opened lazily: %+v", st)
	}
	b := make([]byte, 16)
	n, err := r.Read(b)
	if err != nil || string(b[:n]) != "hello\n" {
		t.Errorf("FIFO read %q, %v; want the line", b[:n], err)
	}
}
