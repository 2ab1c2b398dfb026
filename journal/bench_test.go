//go:build linux

package journal

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	children["blast"] = childBlast
}

// childBlast writes TOTAL bytes of 100-byte lines to stdout in writes of
// WRITE bytes, as fast as it can: the benchmarks' program.
func childBlast() int {
	total, _ := strconv.ParseInt(os.Getenv("TOTAL"), 10, 64)
	write, _ := strconv.Atoi(os.Getenv("WRITE"))
	var block []byte
	for i := 0; len(block) < write || len(block)%100 != 0; i++ {
		block = appendLine(block, "o", i, 100)
	}
	for done := int64(0); done < total; done += int64(write) {
		off, n := int(done%100), int(min(int64(write), total-done))
		if _, err := os.Stdout.Write(block[off : off+n]); err != nil {
			return 1
		}
	}
	return 0
}

func blastCmd(total int64, write int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SVUNIT_JOURNAL_CHILD=blast", "GORACE=atexit_sleep_ms=0",
		"TOTAL="+strconv.FormatInt(total, 10), "WRITE="+strconv.Itoa(write))
	return cmd
}

// benchDir is where the benchmarks write: $SVUNIT_BENCH_DIR (to measure a
// particular disk), else a tmpfs large enough for the floors' whole file,
// so that disk writeback, which varies from run to run by a factor of
// several, does not drown what capture itself costs.
func benchDir(b *testing.B, total int64) string {
	if d := os.Getenv("SVUNIT_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "bench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	dir := b.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.FormatInt(total+total/4, 10)); err != nil {
		b.Fatalf("mount a tmpfs for the benchmark (run as root, or set SVUNIT_BENCH_DIR): %v", err)
	}
	b.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// cpuTime is this process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// run times one way of capturing: the writer straight to a file, through a
// pipe into cat, or through svunit into a rotating file (10 MiB × 5). It
// returns the elapsed time and the CPU time of the capturing side.
func captureRun(b *testing.B, how string, total int64, write int) (elapsed, cpu time.Duration) {
	dir := benchDir(b, total)
	path := filepath.Join(dir, "out.log")
	child := blastCmd(total, write)
	switch how {
	case "direct":
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		child.Stdout = f
		start := time.Now()
		if err := child.Run(); err != nil {
			b.Fatal(err)
		}
		// The writer's own system time: what writing to the file costs.
		return time.Since(start), child.ProcessState.SystemTime()
	case "cat":
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		cat := exec.Command("cat")
		cat.Stdin, cat.Stdout, child.Stdout = r, f, w
		start := time.Now()
		if err := cat.Start(); err != nil {
			b.Fatal(err)
		}
		r.Close()
		if err := child.Run(); err != nil {
			b.Fatal(err)
		}
		w.Close()
		if err := cat.Wait(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start), cat.ProcessState.UserTime() + cat.ProcessState.SystemTime()
	}
	o, err := Open(Config{Unit: "bench", LogDir: dir, Stderr: Target{Kind: Null}, MaxBytes: 10 << 20, Backups: 5})
	if err != nil {
		b.Fatal(err)
	}
	child.Stdout, _ = o.Files()
	start, cpu0 := time.Now(), cpuTime()
	if err := child.Run(); err != nil {
		b.Fatal(err)
	}
	if err := o.Close(); err != nil {
		b.Fatal(err)
	}
	elapsed, cpu = time.Since(start), cpuTime()-cpu0
	if st := o.Status().Stdout; st.Written != total {
		b.Fatalf("svunit wrote %d of %d bytes: %+v", st.Written, total, st)
	}
	return elapsed, cpu
}

// benchRounds is how many times each way runs per iteration, interleaved;
// the fastest run of each counts, which filters out the moments when other
// work on the machine takes the CPU.
const benchRounds = 3

// benchCapture measures svunit against its floors in the same run and
// reports throughputs, svunit's throughput as a share of each floor, and
// CPU seconds per GB for svunit and for cat, and the system time the writer
// spends writing straight to the file (the file system's own cost, which any
// capture pays once).
func benchCapture(b *testing.B, total int64, write int) {
	b.SetBytes(total)
	hows := []string{"direct", "cat", "svunit"}
	var el, cpu [3]time.Duration
	for i := 0; i < b.N; i++ {
		best := [3]time.Duration{}
		var bestCPU [3]time.Duration
		for r := 0; r < benchRounds; r++ {
			for j, how := range hows {
				e, c := captureRun(b, how, total, write)
				if best[j] == 0 || e < best[j] {
					best[j] = e
				}
				if bestCPU[j] == 0 || c < bestCPU[j] {
					bestCPU[j] = c
				}
			}
		}
		for j := range hows {
			el[j] += best[j]
			cpu[j] += bestCPU[j]
		}
	}
	mbps := func(d time.Duration) float64 { return float64(total) * float64(b.N) / d.Seconds() / 1e6 }
	gb := float64(total) * float64(b.N) / 1e9
	b.ReportMetric(mbps(el[0]), "direct-MB/s")
	b.ReportMetric(mbps(el[1]), "cat-MB/s")
	b.ReportMetric(mbps(el[2]), "svunit-MB/s")
	b.ReportMetric(el[1].Seconds()/el[2].Seconds(), "svunit/cat")
	b.ReportMetric(el[0].Seconds()/el[2].Seconds(), "svunit/direct")
	b.ReportMetric(cpu[2].Seconds()/gb, "svunit-cpu-s/GB")
	b.ReportMetric(cpu[1].Seconds()/gb, "cat-cpu-s/GB")
	b.ReportMetric(cpu[0].Seconds()/gb, "writer-sys-s/GB")
}

// 1 GiB in 64 KiB writes (the first target: ≥ 95% of the cat floor
// at ≤ 0.25 CPU-s/GB).
func BenchmarkCapture64KiBWrites(b *testing.B) { benchCapture(b, 1<<30, 64<<10) }

// 256 MiB in 100-byte writes (the second target: ≥ 95% of the cat
// floor).
func BenchmarkCapture100ByteWrites(b *testing.B) { benchCapture(b, 256<<20, 100) }

// BenchmarkIdleOutputs1000 counts the process's context switches over a
// few seconds, first with no Output open, then with 1000 quiet ones (each
// has written a line and gone back to waiting): the copiers must add no
// wake-ups of their own.
func BenchmarkIdleOutputs1000(b *testing.B) {
	const units, window = 1000, 3 * time.Second
	dir := benchDir(b, 64<<20)
	for i := 0; i < b.N; i++ {
		idle0 := contextSwitches(window)
		outs := make([]*Output, 0, units)
		for j := 0; j < units; j++ {
			o, err := Open(Config{Unit: fmt.Sprintf("u%d-%d.unit", i, j), LogDir: dir, MaxBytes: DefaultMaxBytes, Backups: DefaultBackups})
			if err != nil {
				b.Fatal(err)
			}
			outs = append(outs, o)
			out, _ := o.Files()
			out.WriteString("hello\n")
		}
		waitFor(b, "the lines to arrive", func() bool {
			for _, o := range outs {
				if o.Status().Stdout.Written != 6 {
					return false
				}
			}
			return true
		})
		runtime.GC()
		idle1 := contextSwitches(window)
		for _, o := range outs {
			o.Close()
		}
		b.ReportMetric(float64(idle0), "switches-0-outputs")
		b.ReportMetric(float64(idle1), "switches-1000-outputs")
	}
}

// contextSwitches counts the voluntary and involuntary context switches of
// all the process's threads during d (a measuring window, not a wait for
// anything).
func contextSwitches(d time.Duration) int64 {
	count := func() int64 {
		var n int64
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, task := range tasks {
			b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/status")
			for _, line := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
					x, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					n += x
				}
			}
		}
		return n
	}
	before := count()
	time.Sleep(d)
	return count() - before
}
