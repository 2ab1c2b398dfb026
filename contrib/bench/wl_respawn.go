//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// crasherLife is how long each crasher runs before exiting 1: long enough
// to have started by every manager's definition (StartSecs=0).
const crasherLife = 20 * time.Millisecond

// respawnWorkload: a program exits with status 1 after a short life, again
// and again; the gap from one run's exit to the next run's start, as the
// program itself records them on the monotonic clock (so it includes the
// exec of the next run). The floor is a Go loop that restarts it.
func (b *bench) respawnWorkload() {
	k := b.sz.Crashes
	w := fmt.Sprintf("respawn, %d crashes", k)
	ms := []measure{
		{w, "gap p50", "ms", ""},
		{w, "gap p99", "ms", "< 5 ms"},
		{w, "gap max", "ms", ""},
	}
	record := func(col string, gaps []float64, err error) error {
		if err != nil {
			return err
		}
		if len(gaps) < k {
			return fmt.Errorf("the crasher recorded %d gaps, want %d", len(gaps), k)
		}
		for i, p := range []float64{50, 99, 100} {
			b.add(ms[i], col, percentile(gaps[:k], p))
		}
		return nil
	}
	b.rounds(b.sz.RespawnRounds, w, ms,
		func() error { gaps, err := b.respawnFloor(k); return record(colFloor, gaps, err) },
		func(s system) error { gaps, err := b.respawnOnce(s, k); return record(s.name(), gaps, err) })
}

// crasherArgv runs the crasher, recording into record.
func (b *bench) crasherArgv(record string) []string {
	return []string{b.self, childArg, "crasher", record, strconv.FormatInt(crasherLife.Milliseconds(), 10)}
}

// respawnOnce returns the gaps of at least k respawns by s.
func (b *bench) respawnOnce(s system, k int) (gaps []float64, err error) {
	err = b.inWorkdir("respawn-"+s.name(), func(dir string) error {
		record := filepath.Join(dir, "record")
		p := prog{Name: "crasher", Argv: b.crasherArgv(record), Autostart: true, Restart: true}
		return launched(b.ctx, s, dir, []prog{p}, func(instance) error {
			return waitFor(b.ctx, time.Minute+time.Duration(k)*5*time.Second, 50*time.Millisecond, fmt.Sprintf("%d respawns", k), func() (bool, error) {
				g, err := readGaps(record)
				gaps = g
				return len(g) >= k, err
			})
		})
	})
	return gaps, err
}

// respawnFloor is the same crasher restarted by a plain Go loop: start,
// wait, start again at once.
func (b *bench) respawnFloor(k int) (gaps []float64, err error) {
	err = b.inWorkdir("respawn-floor", func(dir string) error {
		record := filepath.Join(dir, "record")
		argv := b.crasherArgv(record)
		for range k + 1 {
			if err := runTool(b.ctx, argv, 1); err != nil {
				return err
			}
		}
		gaps, err = readGaps(record)
		return err
	})
	return gaps, err
}

// readGaps pairs each "E" (exit) with the next "S" (start) of a crasher's
// record and returns the gaps in milliseconds.
func readGaps(record string) ([]float64, error) {
	f, err := os.Open(record)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var gaps []float64
	var exit int64 = -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		kind, v, ok := strings.Cut(sc.Text(), " ")
		t, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			continue // a line being written
		}
		switch kind {
		case "E":
			exit = t
		case "S":
			if exit >= 0 {
				gaps = append(gaps, float64(t-exit)/1e6)
				exit = -1
			}
		}
	}
	return gaps, sc.Err()
}
