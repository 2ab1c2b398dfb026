//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
)

// The columns of the report, in order. floor is what the work costs without
// a supervisor.
const (
	colFloor  = "floor"
	colSup    = "supervisord"
	colSvunit = "svunit"
	colS6     = "s6"
	colRunit  = "runit"
)

var columns = []string{colFloor, colSup, colSvunit, colS6, colRunit}

// A row is one measure of one workload: a value per column per round.
type row struct {
	Workload string           `json:"workload"`
	Metric   string           `json:"metric"`
	Unit     string           `json:"unit"`
	Target   string           `json:"target,omitempty"` // svunit's target, in words
	Cells    map[string]*cell `json:"cells"`
	Ratio    *float64         `json:"ratio_svunit_supervisord,omitempty"` // of the medians`
}

// A cell holds one column's samples, or why there are none.
type cell struct {
	Samples []float64 `json:"samples,omitempty"`
	Median  float64   `json:"median,omitempty"`
	Min     float64   `json:"min,omitempty"`
	Max     float64   `json:"max,omitempty"`
	NA      string    `json:"na,omitempty"` // why this column has no number
}

// results collects rows in the order workloads first report them. Safe for
// concurrent use.
type results struct {
	mu   sync.Mutex // guards rows
	rows []*row
}

func (r *results) row(workload, metric, unit, target string) *row {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.rows {
		if x.Workload == workload && x.Metric == metric {
			return x
		}
	}
	x := &row{Workload: workload, Metric: metric, Unit: unit, Target: target, Cells: map[string]*cell{}}
	r.rows = append(r.rows, x)
	return x
}

// add records one sample of a measure for a column.
func (r *results) add(workload, metric, unit, target, col string, v float64) {
	x := r.row(workload, metric, unit, target)
	r.mu.Lock()
	defer r.mu.Unlock()
	c := x.Cells[col]
	if c == nil {
		c = &cell{}
		x.Cells[col] = c
	}
	c.Samples = append(c.Samples, v)
	c.NA = ""
}

// na says why a column of a measure has no number; samples win over it.
func (r *results) na(workload, metric, unit, target, col, why string) {
	x := r.row(workload, metric, unit, target)
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := x.Cells[col]; c == nil {
		x.Cells[col] = &cell{NA: why}
	} else if len(c.Samples) == 0 {
		c.NA = why
	}
}

// finish computes each cell's median, minimum and maximum.
func (r *results) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.rows {
		for _, c := range x.Cells {
			if len(c.Samples) > 0 {
				c.Median = median(c.Samples)
				c.Min = slices.Min(c.Samples)
				c.Max = slices.Max(c.Samples)
			}
		}
		if q, ok := x.ratio(); ok && !math.IsNaN(q) && !math.IsInf(q, 0) {
			x.Ratio = &q
		}
	}
}

// ratio is svunit's median over Supervisor's, when both exist.
func (x *row) ratio() (float64, bool) {
	a, b := x.Cells[colSvunit], x.Cells[colSup]
	if a == nil || b == nil || len(a.Samples) == 0 || len(b.Samples) == 0 || b.Median == 0 {
		return 0, false
	}
	return a.Median / b.Median, true
}

// writeMarkdown prints the table: median (min–max) per column, leaving out
// columns no row uses.
func (r *results) writeMarkdown(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var cols []string
	for _, c := range columns {
		for _, x := range r.rows {
			if x.Cells[c] != nil {
				cols = append(cols, c)
				break
			}
		}
	}
	var b strings.Builder
	b.WriteString("| workload | measure |")
	for _, c := range cols {
		b.WriteString(" " + c + " |")
	}
	b.WriteString(" svunit/supervisord | svunit target |\n|---|---|")
	b.WriteString(strings.Repeat("---|", len(cols)+2) + "\n")
	for _, x := range r.rows {
		fmt.Fprintf(&b, "| %s | %s (%s) |", x.Workload, x.Metric, x.Unit)
		for _, c := range cols {
			b.WriteString(" " + x.Cells[c].format() + " |")
		}
		if q, ok := x.ratio(); ok {
			fmt.Fprintf(&b, " %s |", num(q))
		} else {
			b.WriteString(" – |")
		}
		fmt.Fprintf(&b, " %s |\n", x.Target)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (c *cell) format() string {
	switch {
	case c == nil:
		return ""
	case len(c.Samples) == 0:
		return "n/a: " + c.NA
	case len(c.Samples) == 1 || c.Min == c.Max:
		return num(c.Median)
	}
	return fmt.Sprintf("%s (%s–%s)", num(c.Median), num(c.Min), num(c.Max))
}

// num prints three significant digits, without an exponent.
func num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "NaN"
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.2g", v)
}

// report is the JSON document.
type report struct {
	Machine  machine           `json:"machine"`
	Quick    bool              `json:"quick"`
	Rounds   int               `json:"rounds"`
	Started  string            `json:"started"`
	Seconds  float64           `json:"seconds"`
	Versions map[string]string `json:"versions"`
	Rows     []*row            `json:"rows"`
}

func (r *results) writeJSON(w io.Writer, rep report) error {
	r.mu.Lock()
	rep.Rows = r.rows
	defer r.mu.Unlock()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
