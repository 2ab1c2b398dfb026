package units

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"
)

// benchDir writes 1000 realistic units: 500 plain ones in chains of
// After= dependencies and 100 templates with 5 instances each.
func benchDir(b *testing.B) string {
	dir := b.TempDir()
	for i := range 500 {
		dep := ""
		if i%10 != 0 {
			dep = fmt.Sprintf("After=u%d\n", i-1)
		}
		body := fmt.Sprintf("[Unit]\nDescription=unit %d\n%sGroups=g%d\n[Service]\nExecStart=/usr/bin/python3 -m http.server %d --bind 127.0.0.1\nEnvironment=\"A=a b\" B=%d\nRestart=always\nPriority=%d\nStandardOutput=append:/var/log/u%d.log\n[Install]\nWantedBy=default.target\n", i, dep, i%7, 8000+i, i, i%3*100, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("u%d.unit", i)), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 100 {
		body := "[Unit]\nGroups=workers\n[Service]\nExecStart=/bin/sh -c 'echo %i; exec sleep 1000' ${X}\nInstances=5\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("w%d@.unit", i)), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkLoadDir loads, validates and cross-checks 1000 units, and
// computes their start order.
func BenchmarkLoadDir(b *testing.B) {
	dir := benchDir(b)
	b.ResetTimer()
	for b.Loop() {
		set, err := LoadDir(dir)
		if err != nil || len(set.Units()) != 1000 {
			b.Fatalf("%d units, %v", len(set.Units()), err)
		}
		set.StartOrder(set.Units())
	}
}

// BenchmarkDeserializeOnly is the reference for BenchmarkLoadDir: reading
// the same 600 files and running go-systemd's parser on each, nothing else.
func BenchmarkDeserializeOnly(b *testing.B) {
	dir := benchDir(b)
	b.ResetTimer()
	for b.Loop() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := unit.DeserializeOptions(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
