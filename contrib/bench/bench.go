//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A bench is one run: its sizes, its directory, the systems under test and
// the results so far.
type bench struct {
	ctx      context.Context
	opt      options
	sz       sizes
	dir      string            // run directory, removed at the end unless --keep
	self     string            // this executable, run as the workloads' child programs
	systems  []system          // in column order
	missing  map[string]string // column → why its system is not measured
	versions map[string]string
	res      *results
	failed   []string        // measures that failed with an error
	seq      int             // numbers work directories
	evidence map[string]bool // work directories kept for a failed check
}

func newBench(ctx context.Context, o options) (*bench, error) {
	b := &bench{ctx: ctx, opt: o, sz: fullSizes, res: &results{}, missing: map[string]string{}, versions: map[string]string{}, evidence: map[string]bool{}}
	if o.quick {
		b.sz = quickSizes
	}
	if o.rounds > 0 {
		b.sz.Rounds = o.rounds
	}
	if o.window > 0 {
		b.sz.IdleWindow = o.window
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("run as root: the managers are started as root, as in production, and supervisor may need installing")
	}
	if err := becomeSubreaper(); err != nil {
		return nil, err
	}
	var err error
	if b.self, err = os.Executable(); err != nil {
		return nil, fmt.Errorf("find this executable: %v", err)
	}
	if b.dir, err = os.MkdirTemp("", "svunit-bench-"); err != nil {
		return nil, err
	}
	if err := b.findSystems(); err != nil {
		return b, err
	}
	return b, nil
}

// cleanup kills whatever is left of the harness's descendants and removes
// the run directory.
func (b *bench) cleanup() {
	if err := killOrphans(30 * time.Second); err != nil {
		b.logf("cleanup: %v", err)
	}
	if err := killDescendants(nil, 30*time.Second); err != nil {
		b.logf("cleanup: %v", err)
	}
	if b.opt.keep {
		b.logf("run directory kept: %s", b.dir)
		return
	}
	if len(b.evidence) > 0 {
		for d := range b.evidence {
			b.logf("kept for a failed check: %s", d)
		}
		return
	}
	os.RemoveAll(b.dir)
}

// logf prints progress on standard error.
func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// inWorkdir runs f in a fresh directory for one measurement, removed
// afterwards as discard says.
func (b *bench) inWorkdir(what string, f func(dir string) error) error {
	b.seq++
	d := filepath.Join(b.dir, strconv.Itoa(b.seq)+"-"+what)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	defer b.discard(d)
	return f(d)
}

// withManager launches s with progs in a fresh work directory, runs f on
// it, then kills the manager with everything below it.
func (b *bench) withManager(s system, what string, progs []prog, f func(instance) error) error {
	return b.inWorkdir(what+"-"+s.name(), func(dir string) error {
		return launched(b.ctx, s, dir, progs, f)
	})
}

// launched launches s with progs in dir, runs f on it, then kills the
// manager with everything below it.
func launched(ctx context.Context, s system, dir string, progs []prog, f func(instance) error) error {
	in, err := s.launch(ctx, dir, progs)
	if err != nil {
		return err
	}
	defer in.close()
	return f(in)
}

// A workload measures one thing on every system.
type workload struct {
	name string
	run  func(*bench)
}

var workloads = []workload{
	{"launch", (*bench).launchWorkload},
	{"control", (*bench).controlWorkload},
	{"shutdown", (*bench).shutdownWorkload},
	{"idle", (*bench).idleWorkload},
	{"logs", (*bench).logWorkload},
	{"respawn", (*bench).respawnWorkload},
	{"stopstart", (*bench).stopStartWorkload},
}

func workloadNames() []string {
	var out []string
	for _, w := range workloads {
		out = append(out, w.name)
	}
	return out
}

func findWorkload(name string) *workload {
	for i := range workloads {
		if workloads[i].name == name {
			return &workloads[i]
		}
	}
	return nil
}

// runAll runs the selected workloads and returns the measures that failed.
func (b *bench) runAll() []string {
	only := map[string]bool{}
	for _, w := range strings.Split(b.opt.only, ",") {
		if w != "" {
			only[w] = true
		}
	}
	for _, w := range workloads {
		if len(only) > 0 && !only[w.name] {
			continue
		}
		if b.ctx.Err() != nil {
			break
		}
		began := time.Now()
		b.logf("%s: start", w.name)
		w.run(b)
		b.logf("%s: done in %.1f s", w.name, time.Since(began).Seconds())
	}
	return b.failed
}

// order is the order of the columns in round r: rotated by one each round,
// so no system always goes first (or right after another's cleanup).
func order[T any](xs []T, r int) []T {
	if len(xs) == 0 {
		return nil
	}
	k := r % len(xs)
	return append(append([]T{}, xs[k:]...), xs[:k]...)
}

// rounds runs every round of workload w: floor and f on every system, as
// round does, with progress on standard error.
func (b *bench) rounds(n int, w string, measures []measure, floor func() error, f func(system) error) {
	for r := range n {
		b.logf("%s, round %d", w, r+1)
		b.round(r, measures, floor, f)
	}
}

// round runs one round of a workload: floor (when not nil) and f on every
// system, in round r's order. An error marks the measures failed for that
// column, or n/a when it says why they cannot be taken; systems that are
// not installed get their n/a cells.
func (b *bench) round(r int, measures []measure, floor func() error, f func(system) error) {
	for _, m := range measures {
		for col, why := range b.missing {
			b.res.na(m.workload, m.metric, m.unit, m.target, col, why)
		}
	}
	type part struct {
		col string
		run func() error
	}
	var parts []part
	if floor != nil {
		parts = append(parts, part{colFloor, floor})
	}
	for _, s := range b.systems {
		parts = append(parts, part{s.name(), func() error { return f(s) }})
	}
	for _, p := range order(parts, r) {
		if b.ctx.Err() != nil {
			return
		}
		began := time.Now()
		err := p.run()
		b.logf("  %s: %.1f s%s", p.col, time.Since(began).Seconds(), map[bool]string{true: "", false: " (" + fmt.Sprint(err) + ")"}[err == nil])
		b.note(p.col, measures, err)
		reapOrphans()
	}
}

// note records err for a column's measures: n/a when it says why, else a
// failure.
func (b *bench) note(col string, measures []measure, err error) {
	if err == nil {
		return
	}
	if why, ok := isNA(err); ok {
		for _, m := range measures {
			b.res.na(m.workload, m.metric, m.unit, m.target, col, why)
		}
		return
	}
	if b.ctx.Err() != nil {
		return
	}
	w := "?"
	if len(measures) > 0 {
		w = measures[0].workload
	}
	b.logf("%s on %s failed: %v", w, col, err)
	b.failed = append(b.failed, fmt.Sprintf("%s on %s: %v", w, col, err))
	for _, m := range measures {
		b.res.na(m.workload, m.metric, m.unit, m.target, col, "failed (see the log)")
	}
}

// A measure names one row of the table.
type measure struct {
	workload, metric, unit, target string
}

func (b *bench) add(m measure, col string, v float64) {
	b.res.add(m.workload, m.metric, m.unit, m.target, col, v)
}

// discard removes a measurement's directory, unless --keep, or unless keep
// marked it as evidence of a failed check.
func (b *bench) discard(dir string) {
	if b.opt.keep || b.evidence[dir] {
		return
	}
	os.RemoveAll(dir)
}
