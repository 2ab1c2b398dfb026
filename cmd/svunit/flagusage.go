package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// flagValueNames name the value a flag takes in help, where the usage text
// has no back-quoted name: "--bus PATH" says more than pflag's "--bus
// string". Flags bound in several files are named here once.
var flagValueNames = map[string]string{
	"access":     "FILE",
	"backend":    "INIT",
	"bus":        "PATH",
	"bus-group":  "GROUP",
	"dir":        "DIR",
	"exe":        "PATH",
	"host":       "HOST[,HOST…]",
	"join":       "session|system",
	"kill-whom":  "main|all",
	"lines":      "N",
	"log-dir":    "DIR",
	"log-file":   "PATH",
	"name":       "NAME",
	"output":     "text|json",
	"signal":     "SIGNAL",
	"ssh-option": "OPTION",
	"state":      "STATE",
	"units":      "DIR",
}

// helpWidth is the width flag descriptions are wrapped to.
const helpWidth = 80

// flagUsages lists fs's visible flags for help, one per line with its
// description wrapped beside it. Unlike pflag's FlagUsages it names values
// (--bus PATH) and shows a boolean as just its name: pflag v1.1.0 writes
// "--quiet[=true|false]", which reads as if a value were expected.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		value, usage := flagValueName(f)
		if value != "" {
			left += " " + value
		}
		if d := flagDefault(f); d != "" {
			usage += " (default " + d + ")"
		}
		rows = append(rows, row{left, usage})
		width = max(width, len([]rune(left)))
	})
	var b strings.Builder
	for _, r := range rows {
		pad := strings.Repeat(" ", width-len([]rune(r.left))+3)
		b.WriteString(r.left + pad + wrapText(r.usage, width+3, helpWidth) + "\n")
	}
	return b.String()
}

// flagValueName returns the name of f's value ("" for a boolean) and its
// usage text with any back quotes removed.
func flagValueName(f *pflag.Flag) (string, string) {
	name, usage := pflag.UnquoteUsage(f)
	if strings.Contains(f.Usage, "`") {
		return name, usage
	}
	switch t := f.Value.Type(); {
	case t == "bool":
		return "", usage
	case flagValueNames[f.Name] != "":
		return flagValueNames[f.Name], usage
	case t == "int" || t == "uint" || t == "int64":
		return "N", usage
	case t == "duration":
		return "DURATION", usage
	default:
		return "VALUE", usage
	}
}

// flagDefault returns f's default as help shows it, or "" when it is the
// zero value and so says nothing.
func flagDefault(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "[]":
		return ""
	}
	return f.DefValue
}

// wrapText wraps s at word boundaries so that no line passes width when
// it starts at column indent; continuation lines are indented to it.
func wrapText(s string, indent, width int) string {
	room := max(width-indent, 30)
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		l := len([]rune(w))
		switch {
		case i == 0:
		case n+1+l > room:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// synopsisLine is the first line of a verb's help.
func (c *command) synopsisLine() string {
	return strings.TrimSpace(fmt.Sprintf("Usage: svunit %s %s", c.name, c.synopsis))
}
