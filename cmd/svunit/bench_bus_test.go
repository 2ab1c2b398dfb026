package main

import (
	"os/exec"
	"testing"
	"time"
)

// BenchmarkStatus1000 runs 'svunit status' against a daemon with 1000
// running units, as a user does (process start, connect, one call, print),
// against 'svunit version' (process start alone) in the same run.
func BenchmarkStatus1000(b *testing.B) {
	bin := buildSvunit(b)
	d := startDaemon(b, bin, map[string]string{
		"w@.unit": "[Service]\nExecStart=/bin/sleep 1000\nStartSecs=0\nInstances=1000\n",
	})
	if out, err := exec.Command(bin, "--bus", d.socket, "-q", "start", "all").CombinedOutput(); err != nil {
		b.Fatalf("start all: %v\n%s", err, out)
	}
	var floor time.Duration
	b.Run("version", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(bin, "version").Run(); err != nil {
				b.Fatal(err)
			}
		}
		floor = b.Elapsed() / time.Duration(b.N)
	})
	b.Run("status", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(bin, "--bus", d.socket, "status").Run(); err != nil {
				b.Fatal(err)
			}
		}
		if floor > 0 {
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(floor), "x-version")
		}
	})
}
