//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
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
	for r := range b.sz.RespawnRounds {
		b.logf("%s, round %d", w, r+1)
		floor := func() error {
			gaps, err := b.respawnFloor(k)
			if err != nil {
				return err
			}
			for i, p := range []float64{50, 99, 100} {
				b.add(ms[i], colFloor, percentile(gaps, p))
			}
			return nil
		}
		b.round(r, ms, floor, func(s system) error {
			gaps, err := b.respawnOnce(s, k)
			if err != nil {
				return err
			}
			for i, p := range []float64{50, 99, 100} {
				b.add(ms[i], s.name(), percentile(gaps, p))
			}
			return nil
		})
	}
}

func (b *bench) respawnOnce(s system, k int) ([]float64, error) {
	dir, err := b.workdir("respawn-" + s.name())
	if err != nil {
		return nil, err
	}
	defer b.discard(dir)
	record := filepath.Join(dir, "record")
	p := prog{Name: "crasher", Argv: []string{b.self, childArg, "crasher", record, strconv.FormatInt(crasherLife.Milliseconds(), 10)},
		Autostart: true, Restart: true}
	in, err := s.launch(b.ctx, dir, []prog{p})
	if err != nil {
		return nil, err
	}
	defer in.close()
	var gaps []float64
	err = waitFor(b.ctx, time.Minute+time.Duration(k)*5*time.Second, 50*time.Millisecond, fmt.Sprintf("%d respawns", k), func() (bool, error) {
		gaps, err = readGaps(record)
		return len(gaps) >= k, err
	})
	if err != nil {
		return nil, err
	}
	return gaps[:k], nil
}

// respawnFloor is the same crasher restarted by a plain Go loop: start,
// wait, start again at once.
func (b *bench) respawnFloor(k int) ([]float64, error) {
	dir, err := b.workdir("respawn-floor")
	if err != nil {
		return nil, err
	}
	defer b.discard(dir)
	record := filepath.Join(dir, "record")
	for range k + 1 {
		c := exec.Command(b.self, childArg, "crasher", record, strconv.FormatInt(crasherLife.Milliseconds(), 10))
		if _, err := startCmd(c); err != nil {
			return nil, err
		}
		if err := waitCmd(c); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				return nil, fmt.Errorf("crasher: %v", err)
			}
		}
		if b.ctx.Err() != nil {
			return nil, b.ctx.Err()
		}
	}
	gaps, err := readGaps(record)
	if err != nil {
		return nil, err
	}
	if len(gaps) < k {
		return nil, fmt.Errorf("crasher recorded %d gaps, want %d", len(gaps), k)
	}
	return gaps[:k], nil
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
