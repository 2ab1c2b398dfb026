package journal

import (
	"testing"

	"golang.org/x/sys/unix"
)

// A chatty writer of 100-byte lines is served in batches: once busy, its
// copier lingers instead of parking after every line, so a few copiers
// move 5 MB (parking whenever the pipe is empty starts one per few
// kilobytes), and every line arrives once, whole, in order.
func TestChattyWriterIsBatched(t *testing.T) {
	const lines, total = 50_000, 5_000_000
	dir := mountTmpfs(t, "64m")
	o := mustOpen(t, Config{Unit: "w", LogDir: dir, Stderr: Target{Kind: Null}})
	runChild(t, o, "out", lines, 100, 100)
	waitFor(t, "the lines", func() bool { return o.Status().Stdout.Written == total })
	o.stdout.pmu.Lock()
	copiers := o.stdout.copiers
	o.stdout.pmu.Unlock()
	t.Logf("%d copiers for %d bytes in 100-byte writes", copiers, total)
	if want := total / (16 << 10); copiers > want {
		t.Errorf("%d copiers started for %d bytes; want at most %d (one per 16 KiB)", copiers, total, want)
	}
	data, _ := readRotated(t, DefaultPath(dir, "w", "stdout"), 0, 0)
	checkLines(t, data, "o", 100, 0, lines)
}

// The read ends and the waiter's epoll fd are close-on-exec, so that no
// child keeps another unit's pipe open (its copier would never see the
// end of input); the children get only the write ends, through Files.
func TestReadEndsCloseOnExec(t *testing.T) {
	o := mustOpen(t, Config{Unit: "w", LogDir: t.TempDir()})
	for name, fd := range map[string]int{"stdout's read end": o.stdout.fd, "stderr's read end": o.stderr.fd, "the epoll fd": theWaiter.ep} {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("%s (fd %d) is inherited by children: no FD_CLOEXEC", name, fd)
		}
	}
}
