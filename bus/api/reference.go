package api

import (
	"fmt"
	"strings"
)

// referenceIfaces are the interfaces docs/dbus-api.md lists, with where
// they live.
var referenceIfaces = []struct {
	def  *ifaceDef
	path string
}{
	{managerDef, "/org/freedesktop/systemd1"},
	{svunitMgrDef, "/org/freedesktop/systemd1"},
	{unitDef, "/org/freedesktop/systemd1/unit/NAME"},
	{serviceDef, "/org/freedesktop/systemd1/unit/NAME"},
	{svunitUnitDef, "/org/freedesktop/systemd1/unit/NAME"},
	{jobDef, "/org/freedesktop/systemd1/job/ID"},
}

// reference renders every interface's methods, properties and signals as
// Markdown tables: the generated part of docs/dbus-api.md, kept equal to
// the code by a golden test.
func reference() string {
	var b strings.Builder
	for _, r := range referenceIfaces {
		d := r.def
		fmt.Fprintf(&b, "### %s\n\nOn `%s`.\n\n", d.name, r.path)
		if len(d.methods) > 0 {
			b.WriteString("| Method | In | Out | What it does |\n|---|---|---|---|\n")
			for _, m := range d.methods {
				fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", m.name, argList(m.in), argList(m.out), methodDocs[d.name+"."+m.name])
			}
			b.WriteString("\n")
		}
		if len(d.signals) > 0 {
			b.WriteString("| Signal | Arguments |\n|---|---|\n")
			for _, s := range d.signals {
				fmt.Fprintf(&b, "| `%s` | %s |\n", s.name, argList(s.args))
			}
			b.WriteString("\n")
		}
		if len(d.props) > 0 {
			b.WriteString("| Property | Type | PropertiesChanged |\n|---|---|---|\n")
			for _, p := range d.props {
				changes := "no"
				if p.dynamic {
					changes = "yes"
				} else if unsignalledProps[p.name] {
					changes = "no (changes: read it)"
				}
				fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", p.name, p.sig.String(), changes)
			}
			b.WriteString("\n")
			for _, p := range d.props {
				if doc := propDocs[d.name+"."+p.name]; doc != "" {
					fmt.Fprintf(&b, "`%s`: %s\n\n", p.name, doc)
				}
			}
		}
	}
	return b.String()
}

func argList(args []arg) string {
	if len(args) == 0 {
		return "–"
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprintf("`%s %s`", a.name, a.sig)
	}
	return strings.Join(parts, ", ")
}
