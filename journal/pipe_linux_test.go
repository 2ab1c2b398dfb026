package journal

import "testing"

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
	if want := total / (32 << 10); copiers > want {
		t.Errorf("%d copiers started for %d bytes; want at most %d (one per 32 KiB)", copiers, total, want)
	}
	data, _ := readRotated(t, DefaultPath(dir, "w", "stdout"), 0, 0)
	checkLines(t, data, "o", 100, 0, lines)
}
