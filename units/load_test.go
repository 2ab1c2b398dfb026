package units

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeUnits writes name → content files into a fresh directory.
func writeUnits(t *testing.T, files map[string]string) string {
	t.Helper()
	return writeTree(t, files)
}

// loadErrors loads one file and returns its errors with the directory
// stripped, so messages can be compared exactly.
func loadErrors(t *testing.T, name, content string) []string {
	t.Helper()
	dir := writeUnits(t, map[string]string{name: content})
	_, err := LoadFile(filepath.Join(dir, name))
	return errorStrings(err, dir)
}

func errorStrings(err error, dir string) []string {
	var el ErrorList
	if err != nil && !errors.As(err, &el) {
		return []string{"not an ErrorList: " + err.Error()}
	}
	var out []string
	for _, e := range el {
		out = append(out, strings.ReplaceAll(e.Error(), dir+"/", ""))
	}
	return out
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, file string
		content    string
		want       []string
	}{
		{"unknown section", "a.unit", "[Servce]\nExecStart=/bin/true\n", []string{
			"a.unit: Service.ExecStart: missing: every unit needs the program to run (e.g. ExecStart=/usr/bin/python3 -m http.server)",
			"a.unit:1: unknown section [Servce]; did you mean [Service]? (svunit reads [Unit], [Service] and [Install]; prefix your own with X-)",
		}},
		{"unknown directive", "a.unit", "[Service]\nExecStart=/bin/true\nRestrat=always\nStartSec=3\nX-Mine=ok\n", []string{
			"a.unit:3: Service.Restrat: unknown directive; did you mean Restart=? (see docs/directives.md; prefix your own with X-)",
			"a.unit:4: Service.StartSec: unknown directive; did you mean StartSecs=? (see docs/directives.md; prefix your own with X-)",
		}},
		{"wrong section", "a.unit", "[Unit]\nExecStart=/bin/true\n[Service]\nExecStart=/bin/true\n", []string{
			"a.unit:2: Unit.ExecStart: belongs in [Service], not [Unit] (move it)",
		}},
		{"bad values, all reported", "a.unit", "[Service]\nExecStart=/bin/true\nType=simpel\nRestartSec=soon\nKillSignal=SIGNOPE\nSendSIGKILL=perhaps\nPriority=high\nUMask=999\n", []string{
			`a.unit:3: Service.Type: "simpel" is not one of simple, exec, notify, oneshot, forking`,
			`a.unit:4: Service.RestartSec: "soon" is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)`,
			`a.unit:5: Service.KillSignal: "SIGNOPE" is not a signal (write a name such as SIGTERM or a number)`,
			`a.unit:6: Service.SendSIGKILL: "perhaps" is not a boolean (write yes or no)`,
			`a.unit:7: Service.Priority: "high" is not a whole number from -2147483648 to 2147483647`,
			`a.unit:8: Service.UMask: "999" is not an octal umask (write e.g. 0022)`,
		}},
		{"syslog format", "a.unit", "[Service]\nExecStart=/bin/true\nSyslogFormat=rfc5425\n", []string{
			`a.unit:3: Service.SyslogFormat: unknown syslog format "rfc5425"; want rfc3164 or rfc5424`,
		}},
		{"bad quoting", "a.unit", "[Service]\nExecStart=/bin/sh -c 'echo hi\n", []string{
			`a.unit:2: Service.ExecStart: unclosed ' quote (close it, or escape it as \')`,
		}},
		{"missing ExecStart", "a.unit", "[Unit]\nDescription=x\n\n[Service]\nUser=root\n", []string{
			"a.unit:4: Service.ExecStart: missing: every unit needs the program to run (e.g. ExecStart=/usr/bin/python3 -m http.server)",
		}},
		{"no such user or group", "a.unit", "[Service]\nExecStart=/bin/true\nUser=svunit-nobody-here\nGroup=svunit-nogroup-here\nSupplementaryGroups=root svunit-nogroup2\n", []string{
			`a.unit:3: Service.User: user "svunit-nobody-here" does not exist on this machine (create it, or fix the name: svunit never runs a unit as someone else)`,
			`a.unit:4: Service.Group: group "svunit-nogroup-here" does not exist on this machine (create it, or fix the name)`,
			`a.unit:5: Service.SupplementaryGroups: group "svunit-nogroup2" does not exist on this machine (create it, or fix the name)`,
		}},
		{"access grants", "a.unit", "[Unit]\nAllowUsers=root:status,logs svunit-nobody-here:start\nAllowGroups=root:reboot\nAllowUsers=root\n[Service]\nExecStart=/bin/true\n", []string{
			`a.unit:2: Unit.AllowUsers: user "svunit-nobody-here" does not exist on this machine (create it, or fix the name: svunit never runs a unit as someone else)`,
			`a.unit:3: Unit.AllowGroups: "root:reboot": verb "reboot" is not one of status, logs, start, stop, restart, kill, all`,
			`a.unit:4: Unit.AllowUsers: "root" is not NAME:VERB[,VERB…] (e.g. alice:status,logs,restart)`,
		}},
		{"invalid unit name", "we b.unit", "[Service]\nExecStart=/bin/true\n", []string{
			`we b.unit: invalid unit name "we b.unit" (use letters, digits and ":-_.\", at most one "@", and the suffix .unit or .service)`,
		}},
		{"wrong suffix", "web.conf", "[Service]\nExecStart=/bin/true\n", []string{
			`web.conf: unit name "web.conf" has neither the suffix .unit nor .service`,
		}},
		{"template without instances", "w@.unit", "[Unit]\nDescription=w\n[Service]\nExecStart=/bin/echo %i\n", []string{
			"w@.unit:3: Service.Instances: template w@.unit has no instances (set Instances=N, or add instance files such as w@1.unit linking to it)",
		}},
		{"instances outside a template", "a.unit", "[Service]\nExecStart=/bin/true\nInstances=3\n", []string{
			"a.unit:3: Service.Instances: only a template can have instances (rename the file to NAME@.unit)",
		}},
		{"bad instances", "w@.unit", "[Service]\nExecStart=/bin/true\nInstances=0\n", []string{
			`w@.unit:3: Service.Instances: "0" is not a whole number from 1 to 10000`,
		}},
		{"several ExecStart", "a.unit", "[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n", []string{
			"a.unit:3: Service.ExecStart: 2 commands, but only Type=oneshot runs several (remove the extra ones, or set Type=oneshot)",
		}},
		{"oneshot restart", "a.unit", "[Service]\nType=oneshot\nExecStart=/bin/a\nRestart=always\n", []string{
			"a.unit:4: Service.Restart: Restart=always cannot be used with Type=oneshot (use on-failure or no)",
		}},
		{"output targets", "a.unit", "[Service]\nExecStart=/bin/a\nStandardOutput=append:log.txt\nStandardError=kmsg\n", []string{
			`a.unit:3: Service.StandardOutput: output target "append:log.txt": path "log.txt" is not absolute; write append:/full/path`,
			`a.unit:4: Service.StandardError: output target "kmsg" is not supported by svunit; use journal, syslog, null, inherit or append:PATH`,
		}},
		{"paths and deps", "a.unit", "[Unit]\nAfter=b@c@d\nGroups=@bad@\n[Service]\nExecStart=/bin/a\nWorkingDirectory=rel\nEnvironmentFile=-rel.env\nPIDFile=x.pid\n", []string{
			`a.unit:2: Unit.After: "b@c@d" is not a unit name (use letters, digits and ":-_.\", at most one "@")`,
			`a.unit:3: Unit.Groups: "bad@" is not a group name (use letters, digits and ":-_.")`,
			`a.unit:6: Service.WorkingDirectory: "rel" is not an absolute path (write the full path, starting with /)`,
			`a.unit:7: Service.EnvironmentFile: "rel.env" is not an absolute path (write the full path, starting with /)`,
			`a.unit:8: Service.PIDFile: "x.pid" is not an absolute path (write the full path, starting with /)`,
		}},
		{"documentation", "a.unit", "[Unit]\nDocumentation=https://x.org/a%20b man:svunit(1) ftp://x\n[Service]\nExecStart=/bin/a\n", []string{
			`a.unit:2: Unit.Documentation: "ftp://x" is not a URL with the scheme http, https, file, info or man`,
		}},
		{"empty user resets", "a.unit", "[Service]\nExecStart=/bin/a\nUser=\nGroup=\n", nil},
		{"syntax", "a.unit", "[Service]\nExecStart=/bin/a\nnonsense\n", []string{
			`a.unit:3: line "nonsense" is neither a section header, a comment nor NAME=VALUE`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := loadErrors(t, c.file, c.content)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestLoadDefaultsAndValues(t *testing.T) {
	dir := writeUnits(t, map[string]string{"web.unit": `
[Unit]
Description=Web on %N
After=db
Requires=db.service
Groups=backend front
Documentation=https://example.org/a https://example.org/b

[Service]
ExecStartPre=-/bin/mkdir -p /tmp/web
ExecStart=/usr/bin/python3 -m http.server 8080 \
    --bind 127.0.0.1
User=root
WorkingDirectory=-~
Environment="GREETING=hello world" A=1
Environment=B=2
LimitNOFILE=1024
LimitNOFILE=2048:4096
SuccessExitStatus=3 SIGUSR1
TimeoutSec=20s
StandardError=inherit
LogMaxBytes=1M

[Install]
WantedBy=default.target
`})
	us, err := LoadFile(filepath.Join(dir, "web.unit"))
	if err != nil {
		t.Fatal(err)
	}
	u := us[0]
	s := u.Service
	if u.Name != "web.unit" || u.Description != "Web on web" || !u.Enabled() {
		t.Errorf("name %q description %q enabled %v", u.Name, u.Description, u.Enabled())
	}
	if !reflect.DeepEqual(u.After, []string{"db.unit"}) || !reflect.DeepEqual(u.Requires, []string{"db.service"}) || !reflect.DeepEqual(u.Groups, []string{"backend", "front"}) {
		t.Errorf("deps %q %q groups %q", u.After, u.Requires, u.Groups)
	}
	if want := []string{"/usr/bin/python3", "-m", "http.server", "8080", "--bind", "127.0.0.1"}; len(s.ExecStart) != 1 || !reflect.DeepEqual(s.ExecStart[0].Argv, want) || s.ExecStart[0].Line != 11 {
		t.Errorf("ExecStart = %+v", s.ExecStart)
	}
	if len(s.ExecStartPre) != 1 || !s.ExecStartPre[0].IgnoreFailure {
		t.Errorf("ExecStartPre = %+v", s.ExecStartPre)
	}
	if !reflect.DeepEqual(s.Environment, []string{"GREETING=hello world", "A=1", "B=2"}) {
		t.Errorf("Environment = %q", s.Environment)
	}
	if s.WorkingDirectory != "~" || !s.WorkingDirectoryOptional {
		t.Errorf("WorkingDirectory = %q optional %v", s.WorkingDirectory, s.WorkingDirectoryOptional)
	}
	if len(s.Limits) != 1 || s.Limits[0].Cur != 2048 || s.Limits[0].Max != 4096 {
		t.Errorf("Limits = %+v (a later LimitNOFILE= must replace the earlier)", s.Limits)
	}
	if !s.SuccessExitStatus.HasCode(3) || !s.SuccessExitStatus.HasSignal(syscall.SIGUSR1) {
		t.Errorf("SuccessExitStatus = %+v", s.SuccessExitStatus)
	}
	// Supervisor's defaults where systemd's would surprise.
	checks := []struct {
		name      string
		got, want any
	}{
		{"Type", s.Type, Simple}, {"Restart", s.Restart, RestartOnFailure}, {"StartSecs", s.StartSecs, time.Second},
		{"StartRetries", s.StartRetries, 3}, {"Priority", s.Priority, 999}, {"TimeoutStopSec", s.TimeoutStopSec, 20 * time.Second},
		{"TimeoutStartSec", s.TimeoutStartSec, 20 * time.Second}, {"KillMode", s.KillMode, KillControlGroup},
		{"KillSignal", s.KillSignal, syscall.SIGTERM}, {"SendSIGKILL", s.SendSIGKILL, true},
		{"RestartSec", s.RestartSec, 100 * time.Millisecond}, {"RestartSteps", s.RestartSteps, 10},
		{"RestartMaxDelaySec", s.RestartMaxDelaySec, 30 * time.Second}, {"LogMaxBytes", s.LogMaxBytes, int64(1 << 20)},
		{"LogBackups", s.LogBackups, 10}, {"LogOverflow", s.LogOverflow, "block"}, {"SyslogIdentifier", s.SyslogIdentifier, "web"},
		{"SyslogFacility", s.SyslogFacility, "daemon"}, {"SyslogLevel", s.SyslogLevel, "info"}, {"SyslogErrorLevel", s.SyslogErrorLevel, "err"},
		{"SyslogFormat", s.SyslogFormat, "rfc3164"}, {"StandardError", s.StandardError, "inherit"}, {"Lines[Service.User]", u.Lines["Service.User"], 13},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadTemplate(t *testing.T) {
	dir := writeUnits(t, map[string]string{"worker@.unit": "[Unit]\nGroups=backend\n[Service]\nExecStart=/bin/echo %i %n\nInstances=3\nStandardOutput=append:/tmp/worker-%i.log\n"})
	us, err := LoadFile(filepath.Join(dir, "worker@.unit"))
	if err != nil || len(us) != 3 {
		t.Fatalf("LoadFile = %d units, %v", len(us), err)
	}
	for i, u := range us {
		n := string(rune('1' + i))
		if u.Name != "worker@"+n+".unit" || u.Instance != n || u.Template != "worker@.unit" || u.Service.ExecStart[0].Argv[1] != n || u.Service.StandardOutput != "append:/tmp/worker-"+n+".log" {
			t.Errorf("instance %d: %+v", i, u)
		}
	}
}

// TestLoadDir checks that one bad unit does not stop the good ones, that
// instance files stand in for Instances=, and that .service files load.
func TestLoadDir(t *testing.T) {
	dir := writeUnits(t, map[string]string{
		"good.unit":      "[Service]\nExecStart=/bin/true\n",
		"copied.service": "[Unit]\nDescription=from systemd\nAfter=network.target\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
		"bad.unit":       "[Service]\nExecStart=/bin/echo \"open\n",
		"tpl@.unit":      "[Service]\nExecStart=/bin/echo %i\n",
		"README":         "not a unit",
	})
	if err := os.Symlink("tpl@.unit", filepath.Join(dir, "tpl@x.unit")); err != nil {
		t.Fatal(err)
	}
	set, err := LoadDir(dir)
	var names []string
	for _, u := range set.Units() {
		names = append(names, u.Name)
	}
	if want := []string{"copied.service", "good.unit", "tpl@x.unit"}; !reflect.DeepEqual(names, want) {
		t.Errorf("loaded %q, want %q", names, want)
	}
	got := errorStrings(err, dir)
	want := []string{`bad.unit:2: Service.ExecStart: unclosed " quote (close it, or escape it as \")`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors %q, want %q", got, want)
	}
	if u := set.Get("tpl@x"); u == nil || u.Service.ExecStart[0].Argv[1] != "x" || u.Template != "tpl@.unit" {
		t.Errorf("instance file: %+v", u)
	}
	if _, err := LoadDir(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "cannot read the unit directory") {
		t.Errorf("missing dir: %v", err)
	}
}

// TestSyslogFormat checks that SyslogFormat=rfc5424 reaches the unit, for
// the manager to pass on to journal.Config.
func TestSyslogFormat(t *testing.T) {
	dir := writeUnits(t, map[string]string{"a.unit": "[Service]\nExecStart=/bin/true\nStandardOutput=syslog\nSyslogFormat=rfc5424\n"})
	us, err := LoadFile(filepath.Join(dir, "a.unit"))
	if err != nil || len(us) != 1 {
		t.Fatalf("LoadFile = %d units, %v", len(us), err)
	}
	if got := us[0].Service.SyslogFormat; got != "rfc5424" {
		t.Errorf("SyslogFormat = %q, want rfc5424", got)
	}
}
