package supervisord

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"svunit.dev/svunit/compat"
	"svunit.dev/svunit/units"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testEnv is the environment %(ENV_X)s sees in these tests.
var testEnv = []string{"SVUNIT_TEST_HOME=/home/test"}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./compat/supervisord -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

// render joins units and diagnostics into one text for a golden file, with
// the test's temporary directory replaced by $DIR.
func render(units []Unit, d *Diagnostics, dir string) []byte {
	var b strings.Builder
	for _, u := range units {
		b.WriteString("=== " + u.Name + "\n")
		b.Write(u.Text)
	}
	for _, w := range d.Warnings {
		b.WriteString("warning: " + w.String() + "\n")
	}
	for _, e := range d.Errors {
		b.WriteString("error: " + e.String() + "\n")
	}
	if dir == "" {
		return []byte(b.String())
	}
	return []byte(strings.ReplaceAll(b.String(), dir, "$DIR"))
}

func TestConvertFull(t *testing.T) {
	dir, err := filepath.Abs("testdata/full")
	if err != nil {
		t.Fatal(err)
	}
	units, d, err := Convert(filepath.Join(dir, "supervisord.conf"), Options{Environ: testEnv, Hostname: "host"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "full.golden", render(units, d, dir))
}

func TestConvertErrors(t *testing.T) {
	units, d, err := Convert("testdata/bad/supervisord.conf", Options{Environ: testEnv, Hostname: "host"})
	if err == nil || len(units) != 0 {
		t.Fatalf("Convert = %d units, %v; want an error and no units", len(units), err)
	}
	golden(t, "bad.golden", render(units, d, ""))
	// Every error names its file and line.
	for _, line := range strings.Split(err.Error(), "\n") {
		if !regexp.MustCompile(`^testdata/bad/supervisord\.conf:\d+: `).MatchString(line) {
			t.Errorf("error line %q does not start with file:line", line)
		}
	}
}

// TestDebianConfig converts Debian's own /etc/supervisor/supervisord.conf
// (package supervisor), with a program dropped into its conf.d the way
// Debian's layout intends.
func TestDebianConfig(t *testing.T) {
	src, err := os.ReadFile("/etc/supervisor/supervisord.conf")
	if err != nil {
		t.Fatalf("%v: install Debian's supervisor package (.ci/deps)", err)
	}
	dir := t.TempDir()
	conf := strings.ReplaceAll(string(src), "/etc/supervisor/conf.d/", dir+"/conf.d/")
	if conf == string(src) {
		t.Fatal("Debian's supervisord.conf no longer includes /etc/supervisor/conf.d/*.conf; update this test")
	}
	write(t, filepath.Join(dir, "supervisord.conf"), conf)
	write(t, filepath.Join(dir, "conf.d", "app.conf"), "[program:app]\ncommand=/bin/sleep 1000\n")
	units, d, err := Convert(filepath.Join(dir, "supervisord.conf"), Options{Environ: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "debian.golden", render(units, d, dir))
}

// TestEchoSupervisordConf converts the sample configuration Supervisor
// prints (echo_supervisord_conf), with its commented-out [program:x],
// [eventlistener:x] and [group:x] examples switched on. Two values are
// changed so that the result can load: user=chrism becomes nobody, and the
// group lists the program that exists.
func TestEchoSupervisordConf(t *testing.T) {
	out, err := exec.Command("echo_supervisord_conf").Output()
	if err != nil {
		t.Fatalf("echo_supervisord_conf: %v: install Debian's supervisor package (.ci/deps)", err)
	}
	conf := enableSamples(string(out))
	conf = strings.Replace(conf, "user=chrism", "user=nobody", 1)
	conf = strings.Replace(conf, "programs=progname1,progname2", "programs=theprogramname", 1)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "supervisord.conf"), conf)
	units, d, err := Convert(filepath.Join(dir, "supervisord.conf"), Options{Environ: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].Name != "theprogramname.unit" {
		t.Fatalf("units = %v, want theprogramname.unit", units)
	}
	golden(t, "echo_supervisord_conf.golden", render(units, d, dir))
}

// enableSamples uncomments the example sections of echo_supervisord_conf:
// every ";[kind:name]" header and the ";key=value" lines under it.
func enableSamples(conf string) string {
	lines := strings.Split(conf, "\n")
	on := false
	header := regexp.MustCompile(`^;\[(program|eventlistener|group):`)
	option := regexp.MustCompile(`^;[a-z_]+=`)
	for i, l := range lines {
		switch {
		case header.MatchString(l):
			on = true
			lines[i] = l[1:]
		case on && option.MatchString(l):
			lines[i] = l[1:]
		case strings.HasPrefix(l, ";["):
			on = false
		}
	}
	return strings.Join(lines, "\n")
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExpand(t *testing.T) {
	e := &expander{vars: map[string]string{"program_name": "web", "ENV_X": "x"}, nums: map[string]int{"process_num": 7}, usedEnv: map[string]bool{}}
	for in, want := range map[string]string{
		"%(program_name)s_%(process_num)02d": "web_07",
		"100%% %(ENV_X)s":                    "100% x",
		"%(process_num)3d|%(process_num)-3d": "  7|7  ",
	} {
		if got, err := e.expand(in); err != nil || got != want {
			t.Errorf("expand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"%(nosuch)s", "50%", "%(program_name)d", "%(x"} {
		if got, err := e.expand(in); err == nil {
			t.Errorf("expand(%q) = %q, want an error", in, got)
		}
	}
}

func TestShlexSplit(t *testing.T) {
	for in, want := range map[string][]string{
		`/bin/sh -c 'echo "a b"; x'`: {"/bin/sh", "-c", `echo "a b"; x`},
		`a\ b "c\"d" e\\f`:           {"a b", `c"d`, `e\f`},
		`  x   y  `:                  {"x", "y"},
		`"a"'b'c`:                    {"abc"},
	} {
		got, err := shlexSplit(in)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("shlexSplit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := shlexSplit(`a "b`); err == nil {
		t.Error("unterminated quote accepted")
	}
}

func TestParseEnvironment(t *testing.T) {
	got, err := parseEnvironment(`A="1",B='two, three', PATH=/usr/bin:/bin,D=x`)
	want := [][2]string{{"A", "1"}, {"B", "two, three"}, {"PATH", "/usr/bin:/bin"}, {"D", "x"}}
	if err != nil || len(got) != len(want) {
		t.Fatalf("parseEnvironment = %q, %v; want %q", got, err, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d = %q, want %q", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"A", "A=", "A=1 B=2", `A="1`} {
		if _, err := parseEnvironment(bad); err == nil {
			t.Errorf("parseEnvironment(%q) accepted", bad)
		}
	}
}

// TestUnitsLoad loads the converted units with the units package, exactly
// as the manager would, and checks what the template's instances run.
func TestUnitsLoad(t *testing.T) {
	dir, err := filepath.Abs("testdata/full")
	if err != nil {
		t.Fatal(err)
	}
	out := writeUnits(t, filepath.Join(dir, "supervisord.conf"))
	set, err := units.LoadDir(out)
	if err != nil {
		t.Fatalf("units.LoadDir on the converted units: %v", err)
	}
	var names []string
	for _, u := range set.Units() {
		names = append(names, u.Name)
	}
	want := "cron.unit envfirst.unit exit1.unit queue@1.unit queue@2.unit web@1.unit web@2.unit web@3.unit worker.unit"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("loaded units %s, want %s", got, want)
	}
	web := set.Get("web@2.unit")
	argv := web.Service.ExecStart[0].Argv
	if got := strings.Join(argv, "|"); got != "/usr/bin/python3|-m|http.server|802|--directory|"+dir+"/site dir" {
		t.Errorf("web@2 runs %q", argv)
	}
	if !slices.Contains(web.Groups, "backend") || web.Service.Instances != 3 || web.Service.Priority != 100 {
		t.Errorf("web@2: groups %v, instances %d, priority %d", web.Groups, web.Service.Instances, web.Service.Priority)
	}
	worker := set.Get("worker.unit")
	argv, err = worker.Service.ExecStart[0].Expand(worker.Service.Environment)
	if err != nil || argv[2] != `echo "$WORKER_ID started"; exec sleep 1000` {
		t.Errorf("worker runs %q, %v", argv, err)
	}
	if worker.Enabled() || !web.Enabled() {
		t.Errorf("enabled: worker %v, web %v; want false, true (autostart)", worker.Enabled(), web.Enabled())
	}
}

// writeUnits converts conf and writes the units into a new directory.
func writeUnits(t *testing.T, conf string) string {
	t.Helper()
	us, _, err := Convert(conf, Options{Environ: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, u := range us {
		write(t, filepath.Join(out, u.Name), string(u.Text))
	}
	return out
}

// TestVerify runs 'svunit verify' (built from this tree) on the units
// converted from every real configuration in these tests.
func TestVerify(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "svunit")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(gobin, "build", "-o", bin, "svunit.dev/svunit/cmd/svunit").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	full, _ := filepath.Abs("testdata/full/supervisord.conf")
	dirs := []string{writeUnits(t, full)}
	tmp := t.TempDir()
	src, _ := exec.Command("echo_supervisord_conf").Output()
	conf := strings.Replace(enableSamples(string(src)), "user=chrism", "user=nobody", 1)
	write(t, filepath.Join(tmp, "supervisord.conf"), strings.Replace(conf, "programs=progname1,progname2", "programs=theprogramname", 1))
	dirs = append(dirs, writeUnits(t, filepath.Join(tmp, "supervisord.conf")))
	out, err := exec.Command(bin, append([]string{"verify"}, dirs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("svunit verify: %v\n%s", err, out)
	}
}

// TestSystemdQuoteLoads quotes awkward strings with compat's systemd
// escapers, loads them with the units package and checks that each comes
// back unchanged, as an argument and as an Environment= value.
func TestSystemdQuoteLoads(t *testing.T) {
	words := []string{"a b", `"`, `\`, "'", "$HOME", "${X}", "$$", "%i", "100%", "\n", "\t", "x;y", "é", `C:\dir\`}
	var args, env []string
	for i, w := range words {
		q, err := compat.SystemdQuote(w)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, q)
		e, err := compat.SystemdQuoteEnv(fmt.Sprintf("V%d=%s", i, w))
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, "Environment="+e)
	}
	dir := t.TempDir()
	unit := "[Service]\nExecStart=/bin/echo " + strings.Join(args, " ") + "\n" + strings.Join(env, "\n") + "\n"
	write(t, filepath.Join(dir, "q.unit"), unit)
	us, err := units.LoadFile(filepath.Join(dir, "q.unit"))
	if err != nil {
		t.Fatalf("%v\n%s", err, unit)
	}
	argv, err := us[0].Service.ExecStart[0].Expand(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(argv[1:], words) {
		t.Errorf("ExecStart= arguments read back as %q, want %q", argv[1:], words)
	}
	for i, w := range words {
		if got := us[0].Service.Environment[i]; got != fmt.Sprintf("V%d=%s", i, w) {
			t.Errorf("Environment= %d read back as %q, want V%d=%q", i, got, i, w)
		}
	}
}
