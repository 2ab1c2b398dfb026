//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A logCase is one log-capture workload: total bytes of numbered lines in
// writes of a given size.
type logCase struct {
	total, write, line int64
}

func (c logCase) lines() int64 { return c.total / c.line }

// logWorkload: one program writes total bytes to its stdout; the manager
// captures them into a rotating file. Throughput from the writer's start
// to the last byte on disk, the manager's CPU per GB, and a check that the
// files hold every line once, whole, in order. The floors: the writer
// straight into a file, and through a pipe into cat into a file.
func (b *bench) logWorkload() {
	for _, c := range []logCase{
		{total: b.sz.LogBig, write: 64 << 10, line: 128},
		{total: b.sz.LogSmall, write: 100, line: 100},
	} {
		w := fmt.Sprintf("log %s in %s writes", size(c.total), size(c.write))
		c.total -= c.total % c.line // the writer sends whole lines
		ms := logMeasures{
			tput:   measure{w, "throughput (floor: pipe → cat → file)", "MB/s", "≥ 95% of the floor"},
			direct: measure{w, "throughput, writer straight to a file", "MB/s", ""},
			cpu:    measure{w, "manager CPU (floor: cat's)", "s/GB", "≤ 1/5 of supervisord's"},
			bad:    measure{w, "lines lost, split or reordered", "lines", "0"},
		}
		b.rounds(b.sz.Rounds, w, []measure{ms.tput, ms.cpu, ms.bad}, func() error { return b.logFloors(c, ms) },
			func(s system) error { return b.logOnce(s, c, ms) })
	}
}

type logMeasures struct {
	tput, direct, cpu, bad measure
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func (b *bench) writerArgv(gate string, c logCase) []string {
	return []string{b.self, childArg, "writer", gate, strconv.FormatInt(c.total, 10), strconv.FormatInt(c.write, 10), strconv.FormatInt(c.line, 10)}
}

func (b *bench) logOnce(s system, c logCase, ms logMeasures) error {
	return b.inWorkdir("log-"+s.name(), func(dir string) error {
		gate, err := makeGate(dir)
		if err != nil {
			return err
		}
		logPath := filepath.Join(dir, "writer.log")
		backups := int(c.total/b.sz.LogMax) + 2
		p := prog{Name: "writer", Argv: b.writerArgv(gate, c), Autostart: true, Log: logPath, LogMax: b.sz.LogMax, LogBackups: backups}
		return launched(b.ctx, s, dir, []prog{p}, func(in instance) error {
			files := func() []string { return rotatedFiles(logPath, backups) }
			if lf, ok := in.(interface{ logFiles(string) []string }); ok {
				files = func() []string { return lf.logFiles("writer") }
			}
			if err := b.logCapture(in, s.name(), gate, files, c, ms); err != nil {
				return err
			}
			return b.logCheck(s.name(), dir, files, c, ms.bad)
		})
	})
}

// makeGate makes the FIFO a writer waits at in dir.
func makeGate(dir string) (string, error) {
	gate := filepath.Join(dir, "gate")
	os.Remove(gate)
	if err := syscall.Mkfifo(gate, 0o600); err != nil {
		return "", fmt.Errorf("mkfifo %s: %v", gate, err)
	}
	return gate, nil
}

// logCapture opens the writer's gate once the manager's processes all run,
// waits until the files hold what it wrote, and records the throughput and
// the manager's CPU per GB.
func (b *bench) logCapture(in instance, col, gatePath string, files func() []string, c logCase, ms logMeasures) error {
	g, err := openGate(b, gatePath)
	if err != nil {
		return err
	}
	defer g.Close()
	own, cpu0, _, err := ownUsage(b.ctx, in)
	if err != nil {
		return err
	}
	t0 := time.Now()
	_, err = g.Write([]byte{1})
	g.Close()
	if err != nil {
		return fmt.Errorf("open the writer's gate: %v", err)
	}
	got, t1, err := waitCaptured(b, gatePath, files, c.total)
	cpu1, _, uerr := usage(own)
	if err != nil {
		return err
	}
	if uerr != nil {
		return uerr
	}
	b.add(ms.tput, col, float64(got)/1e6/t1.Sub(t0).Seconds())
	b.add(ms.cpu, col, float64(cpu1-cpu0)/clockTicks/(float64(c.total)/1e9))
	return nil
}

// logCheck checks the lines of the captured files and records how many
// were lost, split or reordered; it keeps dir as evidence when any were.
func (b *bench) logCheck(col, dir string, files func() []string, c logCase, bad measure) error {
	chk, err := checkLines(files(), c.lines(), c.line)
	if err == nil && !chk.ok() {
		// A rotation may have renamed a file between the listing and the
		// reading; once the files have been quiet, check again.
		if err := pause(b.ctx, quiet); err != nil {
			return err
		}
		chk, err = checkLines(files(), c.lines(), c.line)
	}
	if err != nil {
		return err
	}
	if !chk.ok() {
		b.logf("%s: %s: %v; files: %s", bad.workload, col, chk, describeFiles(files()))
		b.evidence[dir] = true
	}
	b.add(bad, col, float64(chk.Split+chk.Missing+chk.Dup))
	return nil
}

// quiet is how long the files of a capture must stay the same size, once
// the writer is done, before the harness concludes that bytes were lost.
const quiet = 2 * time.Second

// waitCaptured waits until the files hold total bytes, or, when the capture
// loses some, until the writer is done and the files have stopped growing.
// It returns the bytes captured and when the last of them arrived.
func waitCaptured(b *bench, gate string, files func() []string, total int64) (int64, time.Time, error) {
	var have int64
	var changed time.Time
	err := waitFor(b.ctx, logDeadline(total), 5*time.Millisecond, fmt.Sprintf("%s in the log files", size(total)), func() (bool, error) {
		n := filesSize(files())
		now := time.Now()
		if n != have || changed.IsZero() {
			have, changed = n, now
		}
		if n >= total {
			return true, nil
		}
		if _, err := os.Stat(gate + ".done"); err == nil && now.Sub(changed) >= quiet {
			return true, nil
		}
		return false, nil
	})
	return have, changed, err
}

// logDeadline allows 1 MB/s at least.
func logDeadline(total int64) time.Duration {
	return time.Minute + time.Duration(total/1e6)*time.Second
}

// openGate opens the writer's FIFO for writing once the writer has opened
// it for reading (until then a non-blocking open fails with ENXIO).
func openGate(b *bench, gate string) (*os.File, error) {
	var f *os.File
	err := waitFor(b.ctx, time.Minute, 2*time.Millisecond, "the writer to open its gate "+gate, func() (bool, error) {
		fd, err := syscall.Open(gate, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if errors.Is(err, syscall.ENXIO) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("open %s: %v", gate, err)
		}
		f = os.NewFile(uintptr(fd), gate)
		return true, nil
	})
	return f, err
}

// logFloors measures the writer straight into a file and through a pipe
// into cat; cat's CPU is the floor of a capturing process's.
func (b *bench) logFloors(c logCase, ms logMeasures) error {
	return b.inWorkdir("log-floor", func(dir string) error {
		secs, _, err := b.pipeline(dir, c, false)
		if err != nil {
			return err
		}
		b.add(ms.direct, colFloor, float64(c.total)/1e6/secs)
		secs, catCPU, err := b.pipeline(dir, c, true)
		if err != nil {
			return err
		}
		b.add(ms.tput, colFloor, float64(c.total)/1e6/secs)
		b.add(ms.cpu, colFloor, catCPU/(float64(c.total)/1e9))
		return nil
	})
}

// pipeline runs the writer into dir/out, through cat when viaCat, and
// returns the seconds from the gate to the end and cat's CPU seconds.
func (b *bench) pipeline(dir string, c logCase, viaCat bool) (float64, float64, error) {
	gate, err := makeGate(dir)
	if err != nil {
		return 0, 0, err
	}
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		return 0, 0, err
	}
	defer out.Close()
	argv := b.writerArgv(gate, c)
	wr := exec.Command(argv[0], argv[1:]...)
	var cat *exec.Cmd
	var pr, pw *os.File
	if viaCat {
		if pr, pw, err = os.Pipe(); err != nil {
			return 0, 0, err
		}
		wr.Stdout = pw
		cat = exec.Command("cat")
		cat.Stdin, cat.Stdout = pr, out
	} else {
		wr.Stdout = out
	}
	var cmds []*exec.Cmd
	for _, x := range []*exec.Cmd{wr, cat} {
		if x == nil {
			continue
		}
		if _, err := startCmd(x); err != nil {
			for _, y := range cmds {
				killAndWait(y)
			}
			return 0, 0, err
		}
		cmds = append(cmds, x)
	}
	if pr != nil {
		pr.Close()
		pw.Close()
	}
	g, err := openGate(b, gate)
	if err != nil {
		for _, y := range cmds {
			killAndWait(y)
		}
		return 0, 0, err
	}
	t0 := time.Now()
	g.Write([]byte{1})
	g.Close()
	for _, x := range cmds {
		if err := waitCmd(x); err != nil {
			return 0, 0, fmt.Errorf("%s: %v", x.Path, err)
		}
	}
	secs := time.Since(t0).Seconds()
	var catCPU float64
	if cat != nil {
		catCPU = (cat.ProcessState.UserTime() + cat.ProcessState.SystemTime()).Seconds()
	}
	return secs, catCPU, nil
}

// killAndWait ends a command the harness started.
func killAndWait(c *exec.Cmd) {
	if p, err := identify(c.Process.Pid); err == nil {
		p.signal(syscall.SIGKILL)
	}
	waitCmd(c)
}

// describeFiles lists files with their sizes, for a failed line check.
func describeFiles(files []string) string {
	var out []string
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			out = append(out, fmt.Sprintf("%s %d", filepath.Base(f), fi.Size()))
		}
	}
	return strings.Join(out, ", ")
}
