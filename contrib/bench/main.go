//go:build linux

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == childArg {
		runChild(os.Args[2:])
	}
	os.Exit(run(os.Args[1:]))
}

// options are the command-line flags.
type options struct {
	quick  bool
	rounds int
	only   string
	out    string
	svunit string
	keep   bool
	window time.Duration
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.BoolVar(&o.quick, "quick", false, "small sizes and few rounds: a few minutes, for CI")
	fs.IntVar(&o.rounds, "rounds", 0, "rounds per workload (default 3, or 2 with --quick)")
	fs.StringVar(&o.only, "only", "", "comma-separated workloads to run: "+strings.Join(workloadNames(), ","))
	fs.StringVar(&o.out, "out", "", "directory to write results.md and results.json into")
	fs.StringVar(&o.svunit, "svunit", "", "svunit binary to measure (default: build ./cmd/svunit of this checkout)")
	fs.BoolVar(&o.keep, "keep", false, "keep the run directory (configurations, logs) for inspection")
	fs.DurationVar(&o.window, "idle-window", 0, "idle measurement window (default 30s, or 2s with --quick)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./contrib/bench [flags]\n\n"+
			"Measures svunit side by side with Python's Supervisor (and s6, runit where they\n"+
			"apply) and prints a markdown table. Run it as root from the svunit checkout.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, w := range strings.Split(o.only, ",") {
		if w != "" && findWorkload(w) == nil {
			return o, fmt.Errorf("--only: no workload %q (have %s)", w, strings.Join(workloadNames(), ", "))
		}
	}
	return o, nil
}

func run(args []string) int {
	o, err := parseFlags(args)
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	b, err := newBench(ctx, o)
	if b != nil {
		defer b.cleanup()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	began := time.Now()
	failed := b.runAll()
	b.res.finish()
	rep := report{
		Machine: describeMachine(), Quick: o.quick, Rounds: b.sz.Rounds,
		Started: began.UTC().Format(time.RFC3339), Seconds: time.Since(began).Seconds(), Versions: b.versions,
	}
	if err := b.write(os.Stdout, rep); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	if ctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "bench: interrupted; cleaned up\n")
		return 130
	}
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d measures failed:\n\t%s\n", len(failed), strings.Join(failed, "\n\t"))
		return 1
	}
	return 0
}

// write prints the table on w and, with --out, writes results.md and
// results.json.
func (b *bench) write(w io.Writer, rep report) error {
	var vs []string
	for _, col := range columns {
		if v, ok := rep.Versions[col]; ok {
			vs = append(vs, col+": "+v)
		}
	}
	head := fmt.Sprintf("svunit benchmarks, %s run of %s (%.0f s, %d rounds)\n\nMachine: %s\n\nVersions: %s\n\n",
		map[bool]string{true: "quick", false: "full"}[rep.Quick], rep.Started, rep.Seconds, rep.Rounds, rep.Machine, strings.Join(vs, "; "))
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	if err := b.res.writeMarkdown(w); err != nil {
		return err
	}
	if b.opt.out == "" {
		return nil
	}
	if err := os.MkdirAll(b.opt.out, 0o755); err != nil {
		return err
	}
	md, err := os.Create(filepath.Join(b.opt.out, "results.md"))
	if err != nil {
		return err
	}
	io.WriteString(md, head)
	err = b.res.writeMarkdown(md)
	if cerr := md.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	js, err := os.Create(filepath.Join(b.opt.out, "results.json"))
	if err != nil {
		return err
	}
	err = b.res.writeJSON(js, rep)
	if cerr := js.Close(); err == nil {
		err = cerr
	}
	return err
}
