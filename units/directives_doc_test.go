package units

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite ../docs/directives.md from the directive table")

const docsPath = "../docs/directives.md"

// TestDirectivesDoc keeps docs/directives.md equal to what the directive
// table generates, so the reference cannot drift from the parser. Run
// "go test ./units -run DirectivesDoc -update" after changing the table.
func TestDirectivesDoc(t *testing.T) {
	got := directivesDoc()
	if *update {
		if err := os.WriteFile(docsPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("%v (run go test ./units -run DirectivesDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the directive table: run go test ./units -run DirectivesDoc -update", docsPath)
	}
	for key := range byKey {
		sec, name, _ := strings.Cut(key, ".")
		if !bytes.Contains(want, []byte("| "+name+" |")) && !bytes.Contains(want, []byte("`"+name+"=`")) {
			t.Errorf("directive [%s] %s= is accepted but missing from %s", sec, name, docsPath)
		}
	}
}

const docsIntro = `# Unit file directives

<!-- Generated from the directive table in units/directives.go by
     "go test ./units -run DirectivesDoc -update". Do not edit by hand. -->

A unit file is ` + "`NAME.unit`" + ` (or ` + "`NAME.service`" + `, so systemd units can be copied in) in
systemd's INI syntax: sections ` + "`[Unit]`" + `, ` + "`[Service]`" + ` and ` + "`[Install]`" + `, one ` + "`Name=value`" + ` per
line, ` + "`#`" + ` or ` + "`;`" + ` comments, a backslash at the end of a line continues the value (comment
lines in between are skipped, as systemd skips them; lines are at most 2047 bytes). Every
error is reported as ` + "`FILE:LINE: Section.Directive: message`" + `, all of a file's errors at
once; ` + "`svunit verify`" + ` prints them without starting anything. Unknown sections and
directives are errors (with the nearest known name suggested) unless they start with ` + "`X-`" + `.

List directives (dependencies, ` + "`Environment=`" + `, ` + "`Exec*=`" + `…) may be repeated; each
assignment adds to the list and an empty assignment (` + "`After=`" + `) clears it. Other
directives take their last value.

## Names, templates and groups

- A name uses letters, digits and ` + "`:-_.\\`" + `. ` + "`worker@.unit`" + ` is a template; its instances are
  ` + "`worker@1.unit`" + `, ` + "`worker@2.unit`" + `… Set ` + "`Instances=N`" + ` (Supervisor's ` + "`numprocs`" + `) to run
  ` + "`worker@1`" + ` … ` + "`worker@N`" + `, or create instance files ` + "`worker@NAME.unit`" + ` (usually symlinks to
  the template). A template with neither is an error.
- ` + "`[Unit] Groups=backend`" + ` makes a unit a member of the group ` + "`@backend`" + ` (Supervisor's
  ` + "`[group:backend]`" + `); ` + "`svunit restart @backend`" + ` acts on all members. It is unrelated to
  ` + "`[Service] Group=`" + `, the unix group.
- Units start in dependency order (` + "`After=`" + `, ` + "`Before=`" + `, ` + "`Requires=`" + `, ` + "`Wants=`" + `, all of which
  order), then by ` + "`Priority=`" + ` (lower first), in parallel where nothing orders them; they
  stop in the reverse order. A dependency cycle is an error naming the cycle. Names of
  systemd's own units (` + "`network.target`" + `) are accepted and ignored.

## Drop-ins

As in systemd, a unit can be changed without editing its file: every ` + "`*.conf`" + ` file in
the directory ` + "`NAME.unit.d/`" + ` beside ` + "`NAME.unit`" + ` (` + "`NAME.service.d/`" + ` for ` + "`NAME.service`" + `) is read
after the unit file, in the unit file's syntax and with its sections. For an instance
` + "`worker@2.unit`" + `, the template's ` + "`worker@.unit.d/`" + ` applies too, to every instance, and
` + "`worker@2.unit.d/`" + ` to that instance alone. All of a unit's drop-ins apply in the order of
their file names, whichever directory holds them; a name in the instance's directory
replaces the same name in the template's, and an empty file or a symlink to ` + "`/dev/null`" + `
hides it. A later assignment wins; a list directive adds to the list, and an empty
assignment clears it first:

` + "```ini" + `
# web.unit.d/10-command.conf
[Service]
ExecStart=
ExecStart=/usr/bin/python3 -m http.server 9000
Environment=
Environment=MODE=staging
` + "```" + `

Errors name the drop-in and its line. ` + "`svunit cat UNIT`" + ` prints the drop-ins after the
unit file, ` + "`svunit verify`" + ` checks them, and ` + "`svunit reload`" + ` treats an added, changed or
removed drop-in as a change of its unit. Files not ending in ` + "`.conf`" + ` and dot-files are
ignored. A root manager refuses a unit whose drop-ins anyone but root could change, as it
refuses such a unit file. The bus property ` + "`DropInPaths`" + ` lists a unit's drop-ins.

## Values

- **time span**: ` + "`5s`" + `, ` + "`1min 30s`" + `, ` + "`1h30m`" + `, ` + "`100ms`" + `, ` + "`1.5s`" + `, ` + "`infinity`" + `; a bare number is seconds.
- **boolean**: ` + "`yes/no`" + `, ` + "`true/false`" + `, ` + "`on/off`" + `, ` + "`1/0`" + `.
- **signal**: ` + "`SIGTERM`" + `, ` + "`TERM`" + `, ` + "`15`" + `, ` + "`SIGRTMIN+2`" + `.
- **size**: bytes, or with ` + "`K`" + `, ` + "`M`" + `, ` + "`G`" + `, ` + "`T`" + ` (powers of 1024).
- **command line** (` + "`Exec*=`" + `): split into words by systemd's rules, never by a shell: double
  and single quotes group, C escapes (` + "`\\n`" + `, ` + "`\\t`" + `, ` + "`\\\\`" + `, ` + "`\\\"`" + `, ` + "`\\x41`" + `, ` + "`\\s`" + `) work inside and
  outside quotes, an unclosed quote is an error. A lone ` + "`;`" + ` separates two commands (` + "`\\;`" + `
  is a literal one). At spawn time a word ` + "`$NAME`" + ` becomes the variable's value split at
  whitespace, and ` + "`${NAME}`" + ` anywhere in a word its value as one word (` + "`${NAME:-default}`" + `,
  ` + "`${NAME:+alt}`" + `, ` + "`$$`" + ` for a literal ` + "`$`" + `). Prefixes on the program: ` + "`-`" + ` (a failing exit
  counts as success), ` + "`@`" + ` (the second word is the argv[0] the program sees), ` + "`:`" + ` (no
  ` + "`$`" + ` expansion). The program is an absolute path or a bare name looked up in ` + "`$PATH`" + `.
- **specifiers**, resolved when the unit loads, in commands, paths, names and most strings:
  ` + "`%n`" + ` the unit name (` + "`worker@2.unit`" + `), ` + "`%N`" + ` without suffix, ` + "`%p`" + ` the prefix (` + "`worker`" + `),
  ` + "`%i`" + ` the instance, ` + "`%I`" + ` the instance unescaped (` + "`-`" + ` becomes ` + "`/`" + `), ` + "`%u`" + ` ` + "`%U`" + ` ` + "`%h`" + ` the
  user's name, uid and home (` + "`User=`" + `, else the manager's), ` + "`%H`" + ` the host name, ` + "`%%`" + ` a
  literal ` + "`%`" + `.

## Defaults that follow Supervisor

Where systemd's default would surprise a Supervisor user, svunit takes Supervisor's:

| Directive | svunit | systemd | Supervisor |
|---|---|---|---|
| Restart | on-failure | no | autorestart=unexpected |
| StartSecs | 1s | – | startsecs=1 |
| StartRetries | 3 | – | startretries=3 |
| Priority | 999 | – | priority=999 |
| TimeoutStopSec | 10s | 90s | stopwaitsecs=10 |
| KillMode | control-group (the process group) | control-group (the cgroup) | stopasgroup=false, which orphans grandchildren |
| RestartSec, RestartSteps, RestartMaxDelaySec | 100ms growing to 30s over 10 restarts | 100ms, fixed | BACKOFF delays 1s, 2s, 3s… |
| StartLimitBurst | 0 (off: StartRetries bounds a crash loop) | 5 in 10s | – |
| WantedBy | enables the unit: it starts with the manager | needs ` + "`systemctl enable`" + ` | autostart=true |
`

// directivesDoc renders the directive table as Markdown.
func directivesDoc() []byte {
	var b bytes.Buffer
	b.WriteString(docsIntro)
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, sec := range knownSections {
		fmt.Fprintf(&b, "\n## [%s]\n\n| Directive | Type | Default | Meaning | Supervisor |\n|---|---|---|---|---|\n", sec)
		for _, d := range table {
			if d.Section == sec {
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", d.Name, cell(d.Type), cell(d.Default), cell(d.Doc), cell(d.Supervisor))
			}
		}
	}
	b.WriteString("\n`StartLimitIntervalSec=`, `StartLimitInterval=` and `StartLimitBurst=` are also accepted in\n[Service], where older systemd units carry them.\n")
	return b.Bytes()
}
