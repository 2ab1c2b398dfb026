package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompatVerbs runs generate, import and install-service --dry-run as a
// user would (buildSvunit and runSvunit are in harness_test.go).
func TestCompatVerbs(t *testing.T) {
	bin := buildSvunit(t)
	t.Run("generate", func(t *testing.T) { testGenerate(t, bin) })
	t.Run("import", func(t *testing.T) { testImport(t, bin) })
	t.Run("install-service", func(t *testing.T) { testInstallDryRun(t, bin) })
	t.Run("import and run", func(t *testing.T) { testImportRuns(t, bin) })
}

// supervisordConf is a Supervisor configuration with instances, a user, a
// program left stopped and a group.
const supervisordConf = `[program:nap]
command = /bin/sleep 1000
process_name = %(program_name)s_%(process_num)02d
numprocs = 3
user = nobody
startsecs = 0
stopasgroup = true

[program:idle]
command = /bin/sleep 1000
autostart = false

[group:pool]
programs = nap,idle
`

// testImportRuns imports a configuration and runs the result in a real
// manager: the instances run as nobody, the program with autostart=false
// stays stopped, and all are in the group.
func testImportRuns(t *testing.T, bin string) {
	conf := filepath.Join(t.TempDir(), "supervisord.conf")
	if err := os.WriteFile(conf, []byte(supervisordConf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runSvunit(t, bin, "import", conf, "--dry-run", "-o", "json", "-q")
	var list []struct{ Unit, Text string }
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("import: exit %d, %v\n%s", code, err, errOut)
	}
	files := map[string]string{}
	for _, u := range list {
		files[u.Unit] = u.Text
	}
	d := startDaemon(t, bin, files)
	// The daemon is ready before the start jobs of the enabled units end.
	want := map[string]string{"nap@1.unit": "RUNNING", "nap@2.unit": "RUNNING", "nap@3.unit": "RUNNING", "idle.unit": "STOPPED"}
	var pool []map[string]any
	got := map[string]string{}
	if !poll(func() bool {
		pool, got = d.status("@pool"), map[string]string{}
		for _, u := range pool {
			name, _ := u["unit"].(string)
			got[name], _ = u["state"].(string)
		}
		return fmt.Sprint(got) == fmt.Sprint(want)
	}) {
		t.Fatalf("units of @pool: %v, want %v", got, want)
	}
	for _, u := range pool {
		if pid, ok := u["pid"].(float64); ok && u["state"] == "RUNNING" {
			if uid := procUID(t, int(pid)); uid != nobodyUID(t) {
				t.Errorf("%s runs as uid %s, want nobody's", u["unit"], uid)
			}
		}
	}
}

// procUID returns the real uid of pid, from /proc.
func procUID(t *testing.T, pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			return f[1]
		}
	}
	t.Fatalf("no Uid: line for pid %d", pid)
	return ""
}

func nobodyUID(t *testing.T) string {
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	return u.Uid
}

// testGenerate checks that the verb prints exactly the samples in
// contrib/rc.d, and rejects bad requests with a usage error.
func testGenerate(t *testing.T, bin string) {
	samples := map[string][]string{
		"freebsd/svunit":              {"rc.d"},
		"openbsd/svunit":              {"openbsd-rc.d"},
		"netbsd/svunit":               {"netbsd-rc.d"},
		"init.d/svunit":               {"init.d"},
		"openrc/svunit":               {"openrc"},
		"upstart/svunit.conf":         {"upstart"},
		"launchd/svunit.plist":        {"launchd"},
		"launchd/svunit-user.plist":   {"launchd", "--user", "--log-file", "/Users/Shared/svunit.log"},
		"systemd/svunit.service":      {"systemd"},
		"systemd/svunit-user.service": {"systemd", "--user"},
	}
	for file, args := range samples {
		want, err := os.ReadFile(filepath.Join("../../contrib/rc.d", file))
		if err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runSvunit(t, bin, append([]string{"generate", "--exe", "/usr/local/bin/svunit"}, args...)...)
		if code != 0 || out != string(want) {
			t.Errorf("generate %v: exit %d, stderr %q; output differs from contrib/rc.d/%s", args, code, errOut, file)
		}
	}
	for _, args := range [][]string{{"runit"}, {"init.d", "--user"}, {}, {"systemd", "rc.d"}} {
		out, errOut, code := runSvunit(t, bin, append([]string{"generate"}, args...)...)
		if code != exitUsage || out != "" || errOut == "" {
			t.Errorf("generate %v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
	_, errOut, code := runSvunit(t, bin, "generate", "systemd", "--exe", "/opt/it's/svunit")
	if code != exitFailure || !strings.Contains(errOut, "/opt/it's/svunit") {
		t.Errorf("generate with a quote in the executable: exit %d, stderr %q", code, errOut)
	}
}

// testImport converts a configuration into a directory, and checks that an
// import is all or nothing.
func testImport(t *testing.T, bin string) {
	conf := "../../compat/supervisord/testdata/full/supervisord.conf"
	dir := t.TempDir()
	t.Setenv("SVUNIT_TEST_HOME", "/home/test")
	out, errOut, code := runSvunit(t, bin, "import", conf, "--dir", dir)
	if code != 0 || !strings.Contains(out, "unit(s) written") || !strings.Contains(errOut, "supervisord.conf:42: warning: priorty=") {
		t.Fatalf("import: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if _, errOut, code := runSvunit(t, bin, "verify", dir); code != 0 {
		t.Errorf("verify on the imported units: exit %d: %s", code, errOut)
	}
	web := filepath.Join(dir, "web@.unit")
	if err := os.WriteFile(web, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runSvunit(t, bin, "import", conf, "--dir", dir); code != exitFailure || !strings.Contains(errOut, "--force") {
		t.Errorf("import over existing units: exit %d, stderr %q; want 1 and a hint at --force", code, errOut)
	}
	if b, _ := os.ReadFile(web); string(b) != "# mine\n" {
		t.Errorf("import without --force changed %s", web)
	}
	if _, _, code := runSvunit(t, bin, "import", conf, "--dir", dir, "--force", "-q"); code != 0 {
		t.Errorf("import --force: exit %d", code)
	}
	empty := filepath.Join(t.TempDir(), "units")
	_, errOut, code = runSvunit(t, bin, "import", "../../compat/supervisord/testdata/bad/supervisord.conf", "--dir", empty)
	if code != exitFailure || !strings.Contains(errOut, "bad/supervisord.conf:2: command:") || !strings.Contains(errOut, "nothing was written") {
		t.Errorf("import of a bad file: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("import of a bad file created %s", empty)
	}
	out, _, code = runSvunit(t, bin, "import", conf, "--dry-run", "-o", "json", "-q")
	var list []struct{ Unit, From, Text string }
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("import --dry-run -o json: exit %d, %v\n%s", code, err, out)
	}
	for _, u := range list {
		if u.Unit == "web@.unit" && strings.Contains(u.Text, "Instances=3") && strings.HasSuffix(u.From, "supervisord.conf:10") {
			return
		}
	}
	t.Errorf("import --dry-run -o json has no web@.unit with Instances=3 from supervisord.conf:10: %+v", list)
}

// testInstallDryRun checks that install-service --dry-run changes nothing
// and shows the wrapper generate prints.
func testInstallDryRun(t *testing.T, bin string) {
	args := []string{"--backend", "init.d", "--name", "svunit-dry-run", "--exe", "/usr/local/bin/svunit"}
	out, errOut, code := runSvunit(t, bin, append([]string{"install-service", "--dry-run", "-o", "json"}, args...)...)
	var plan struct {
		Backend string
		Files   []string
		Wrapper string
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || code != 0 {
		t.Fatalf("install-service --dry-run: exit %d, %v, stderr %q", code, err, errOut)
	}
	want, _, _ := runSvunit(t, bin, append([]string{"generate", "init.d"}, args[2:]...)...)
	if plan.Backend != "init.d" || plan.Files[0] != "/etc/init.d/svunit-dry-run" || plan.Wrapper != want {
		t.Errorf("plan = %s %v, wrapper equal to generate's: %v", plan.Backend, plan.Files, plan.Wrapper == want)
	}
	if _, err := os.Lstat(plan.Files[0]); err == nil {
		t.Errorf("--dry-run wrote %s", plan.Files[0])
	}
	if _, _, code := runSvunit(t, bin, append([]string{"service-status"}, args...)...); code != exitNoSuchUnit {
		t.Errorf("service-status of a service never installed: exit %d, want %d", code, exitNoSuchUnit)
	}
}
