//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// childArg is argv[1] of the harness re-executed as a workload's program
// (as os/exec's tests re-execute the test binary): no scripts to ship.
const childArg = "__bench-child"

// runChild runs one of the child programs and never returns.
//
//	writer GATE TOTAL WRITE LINE   after a byte arrives on the FIFO GATE, write
//	                               TOTAL bytes of numbered LINE-byte lines to
//	                               stdout in WRITE-byte writes, create
//	                               GATE.done and exit 0
//	crasher RECORD LIFE_MS         append "S <monotonic ns>" to RECORD, live
//	                               LIFE_MS, append "E <ns>" and exit 1
//	deaf PROG ARG…                 ignore SIGTERM, then exec PROG ARG…, which
//	                               inherits the ignored disposition
func runChild(args []string) {
	var err error
	switch {
	case len(args) >= 2 && args[0] == "deaf":
		err = deaf(args[1:])
	case len(args) == 5 && args[0] == "writer":
		err = writer(args[1], atoi(args[2]), atoi(args[3]), atoi(args[4]))
	case len(args) == 3 && args[0] == "crasher":
		err = crasher(args[1], atoi(args[2]))
	default:
		err = fmt.Errorf("unknown child %q", args)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench child: %v\n", err)
		os.Exit(2)
	}
	os.Exit(0)
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench child: bad number %q\n", s)
		os.Exit(2)
	}
	return n
}

// writer waits at its gate, so the harness decides when the measured
// interval starts, then writes numbered lines: "%012d " then x's then
// '\n', line bytes in all, the stream cut into write-byte writes regardless
// of line boundaries.
func writer(gate string, total, write, line int64) error {
	g, err := os.Open(gate) // blocks until the harness opens the FIFO for writing
	if err != nil {
		return err
	}
	var b [1]byte
	if _, err := g.Read(b[:]); err != nil {
		return fmt.Errorf("read gate %s: %v", gate, err)
	}
	g.Close()
	if line < 16 || write < 1 {
		return fmt.Errorf("line %d (want ≥ 16) or write %d (want ≥ 1) too small", line, write)
	}
	total -= total % line
	buf := make([]byte, 0, write+line)
	var seq int64
	for done := int64(0); done < total; {
		for int64(len(buf)) < write && seq*line < total {
			buf = appendLine(buf, seq, line)
			seq++
		}
		n := min(int64(len(buf)), write)
		if err := writeAll(buf[:n]); err != nil {
			return fmt.Errorf("write stdout after %d bytes: %v", done, err)
		}
		done += n
		buf = buf[:copy(buf, buf[n:])]
	}
	// Say it is done, so that a capture that loses bytes ends the wait too.
	return os.WriteFile(gate+".done", nil, 0o644)
}

// writeAll writes p to stdout in one write(2) when it can: a signal (the Go
// runtime's preemption) can cut a blocked write to a pipe short, and the
// rest must follow.
func writeAll(p []byte) error {
	for len(p) > 0 {
		n, err := unix.Write(1, p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// appendLine appends line number seq, line bytes long with its newline:
// twelve digits, a space, x's, '\n'.
func appendLine(buf []byte, seq, line int64) []byte {
	start := len(buf)
	buf = append(buf, lineTemplate(line)...)
	for i := start + 11; i >= start; i-- {
		buf[i] = byte('0' + seq%10)
		seq /= 10
	}
	return buf
}

var template []byte

// lineTemplate is a line of x's with the space and newline in place.
func lineTemplate(line int64) []byte {
	if int64(len(template)) != line {
		template = make([]byte, line)
		for i := range template {
			template[i] = 'x'
		}
		template[12] = ' '
		template[line-1] = '\n'
	}
	return template
}

// deaf execs argv with SIGTERM ignored: a program that does not stop on the
// stop signal, so the manager must wait out its stop timeout and SIGKILL it.
// An ignored disposition survives exec, so argv's command name is what
// the harness counts.
func deaf(argv []string) error {
	signal.Ignore(syscall.SIGTERM)
	return syscall.Exec(argv[0], argv, os.Environ())
}

// crasher records when it started and when it is about to exit, on the
// monotonic clock every process shares, and exits with status 1.
func crasher(record string, lifeMS int64) error {
	start := monotonic()
	f, err := os.OpenFile(record, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "S %d\n", start)
	w.Flush()
	time.Sleep(time.Duration(lifeMS) * time.Millisecond) // the program's lifetime, not a wait
	fmt.Fprintf(w, "E %d\n", monotonic())
	w.Flush()
	os.Exit(1)
	return nil
}

// monotonic is CLOCK_MONOTONIC in nanoseconds.
func monotonic() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
