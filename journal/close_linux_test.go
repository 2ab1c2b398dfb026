package journal

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func init() {
	children["hold"] = childHold
}

// childHold writes one line to stdout, waits for its stdin to end, then
// writes lines until a write fails (with a flood, it does not wait for
// stdin): a grandchild that outlives its unit and keeps the pipe.
func childHold() int {
	if _, err := os.Stdout.Write(appendLine(nil, "o", 0, 100)); err != nil {
		return 1
	}
	if os.Getenv("FLOOD") == "" {
		io.Copy(io.Discard, os.Stdin)
	}
	for i := 1; ; i++ {
		if _, err := os.Stdout.Write(appendLine(nil, "o", i, 100)); err != nil {
			return 2 // SIGPIPE should have ended us first
		}
	}
}

// Close does not wait forever for a process that keeps the write end of
// a pipe (a grandchild that outlived the unit), whether that process is
// quiet or keeps writing: within the grace period it closes the read end,
// and the process's next write kills it with SIGPIPE. What arrived before
// is in the file, whole.
func TestCloseWithHolder(t *testing.T) {
	for _, flood := range []bool{false, true} {
		t.Run(map[bool]string{false: "quiet", true: "writing"}[flood], func(t *testing.T) {
			dir := t.TempDir()
			o, err := Open(Config{Unit: "w", LogDir: dir, Stderr: Target{Kind: Null}})
			if err != nil {
				t.Fatal(err)
			}
			holder := exec.Command(os.Args[0], "-test.run=^$")
			holder.Env = append(os.Environ(), "SVUNIT_JOURNAL_CHILD=hold", "GORACE=atexit_sleep_ms=0", "FLOOD="+map[bool]string{true: "1"}[flood])
			holder.Stdout, _ = o.Files()
			stdin, err := holder.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			if err := holder.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the holder's first line", func() bool { return o.Status().Stdout.Written >= 100 })
			closed := make(chan error, 1)
			go func() { closed <- o.Close() }()
			select {
			case err := <-closed:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * closeGrace):
				t.Fatal("Close waits for a process that keeps the pipe open")
			}
			stdin.Close() // a quiet holder now writes again
			err = holder.Wait()
			ws, ok := holder.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
				t.Fatalf("holder ended with %v; want SIGPIPE, the read end closed", err)
			}
			data, err := os.ReadFile(DefaultPath(dir, "w", "stdout"))
			if err != nil {
				t.Fatal(err)
			}
			if st := o.Status().Stdout; st.Written != int64(len(data)) {
				t.Errorf("status says %d bytes written, the file has %d", st.Written, len(data))
			}
			if !bytes.HasPrefix(data, appendLine(nil, "o", 0, 100)) {
				t.Errorf("the line written before Close is missing: %q", trunc(string(data)))
			}
		})
	}
}
