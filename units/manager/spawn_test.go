//go:build linux

package manager

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// worldDir makes a directory every user may write, and a copy of the test
// binary every user may run (go test's build directory is private).
func worldDir(t *testing.T) (dir, bin string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "svunit-manager-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "child")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, bin
}

// TestUserNobody: User=nobody runs the child as nobody, with nobody's
// groups and no supplementary group of the manager.
func TestUserNobody(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test switches users: run it as root (CI does)")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	dir, bin := worldDir(t)
	out := filepath.Join(dir, "whoami")
	u := testUnit("asnobody", "whoami:"+out, func(s *units.Service) { s.User = "nobody" })
	u.Service.ExecStart[0].Argv = []string{bin}
	m := newManager(t, u)
	if rs := waitFor(t)(m.Start("asnobody")); rs[0] != JobDone {
		t.Fatalf("start job = %s", rs[0])
	}
	got := strings.Fields(waitFile(t, out))
	if got[0] != nobody.Uid || got[1] != nobody.Gid {
		t.Errorf("child runs as uid %s gid %s, want %s %s", got[0], got[1], nobody.Uid, nobody.Gid)
	}
	allowed, _ := nobody.GroupIds()
	for _, g := range strings.Fields(strings.Trim(strings.Join(got[2:], " "), "[]")) {
		if !slices.Contains(allowed, g) {
			t.Errorf("child has group %s, which nobody is not in (groups %v)", g, got[2:])
		}
	}
}

// TestMissingUser: a User= that does not exist is refused before any fork,
// with the reason in the unit's status.
func TestMissingUser(t *testing.T) {
	out := tempFile(t, "ran")
	m := newManager(t, testUnit("ghost", "whoami:"+out, func(s *units.Service) { s.User = "svunit-no-such-user" }))
	jobs, err := m.Start("ghost")
	if rs := waitJobs(t, jobs, err); rs[0] != JobFailed {
		t.Fatalf("start job = %s, want failed", rs[0])
	}
	snap := waitState(t, m, "ghost", Fatal)
	if !strings.Contains(snap.SpawnError, "svunit-no-such-user") || snap.LastExit.PID != 0 || snap.Result != ResultResources {
		t.Errorf("spawn error %q, last exit %+v, result %s", snap.SpawnError, snap.LastExit, snap.Result)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the program ran")
	}
}

// TestSpawnErrors: a missing program, a file that is not executable and a
// missing working directory land in the status, with the reason.
func TestSpawnErrors(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644)
	m := newManager(t,
		cmdUnit("missing", []string{filepath.Join(dir, "nope")}),
		cmdUnit("noexec", []string{plain}),
		cmdUnit("nopath", []string{"svunit-no-such-program"}),
		cmdUnit("nodir", []string{"/bin/true"}, func(s *units.Service) { s.WorkingDirectory = filepath.Join(dir, "gone") }),
	)
	for name, want := range map[string]string{
		"missing": "no such file", "noexec": "not executable", "nopath": "not found in PATH", "nodir": "WorkingDirectory",
	} {
		jobs, err := m.Start(name)
		if rs := waitJobs(t, jobs, err); rs[0] != JobFailed {
			t.Errorf("%s: start job = %s, want failed", name, rs[0])
		}
		if snap, _ := m.Unit(name); !strings.Contains(snap.SpawnError, want) || snap.State != Fatal {
			t.Errorf("%s: %s, spawn error %q, want it to say %q", name, snap.State, snap.SpawnError, want)
		}
	}
}

// TestEnvironment: the child gets a clean environment built from the unit
// (Environment=, EnvironmentFile=, PassEnvironment=), its working
// directory, and INVOCATION_ID; nothing else leaks from the manager.
func TestEnvironment(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	os.WriteFile(envFile, []byte("# comment\nFROM_FILE=\"quoted value\"\nOVERRIDE=file\n"), 0o644)
	t.Setenv("SVUNIT_PASSED", "passed")
	t.Setenv("SVUNIT_LEAK", "leak")
	out := filepath.Join(dir, "out")
	m := newManager(t, testUnit("env", "pwd-env:"+out, func(s *units.Service) {
		s.WorkingDirectory = dir
		s.Environment = append(s.Environment, "OVERRIDE=env", "PLAIN=1")
		s.EnvironmentFiles = []units.EnvironmentFile{{Path: envFile}, {Path: filepath.Join(dir, "absent"), Optional: true}}
		s.PassEnvironment = []string{"SVUNIT_PASSED", "SVUNIT_UNSET"}
	}))
	waitFor(t)(m.Start("env"))
	lines := strings.Split(waitFile(t, out), "\n")
	if lines[0] != dir {
		t.Errorf("cwd = %q, want %q", lines[0], dir)
	}
	env := map[string]string{}
	for _, kv := range lines[1:] {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	want := map[string]string{"FROM_FILE": "quoted value", "OVERRIDE": "file", "PLAIN": "1", "SVUNIT_PASSED": "passed", "PATH": defaultPath}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s=%q, want %q", k, env[k], v)
		}
	}
	snap, _ := m.Unit("env")
	if env["INVOCATION_ID"] != snap.Invocation || len(snap.Invocation) != 32 {
		t.Errorf("INVOCATION_ID=%q, snapshot says %q", env["INVOCATION_ID"], snap.Invocation)
	}
	for _, k := range []string{"SVUNIT_LEAK", "SVUNIT_UNSET", "HOME"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s=%q leaked into the child", k, v)
		}
	}
	if len(env) != len(want)+3 { // + SVUNIT_TEST_CHILD, GORACE, INVOCATION_ID
		t.Errorf("child environment has %d variables: %v", len(env), env)
	}
}

// TestFailedSwitchSpawnsNothing: when the switch to User= fails in the
// child (here: a root manager without CAP_SETUID and CAP_SETGID, run under
// setpriv), the program is never executed and the reason is in the status.
func TestFailedSwitchSpawnsNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test drops root's capabilities: run it as root (CI does)")
	}
	dir, bin := worldDir(t)
	out := filepath.Join(dir, "ran")
	cmd := exec.Command("setpriv", "--inh-caps=-setuid,-setgid", "--bounding-set=-setuid,-setgid", os.Args[0])
	cmd.Env = append(os.Environ(), "SVUNIT_TEST_INNER=failed-switch", "SVUNIT_TEST_BIN="+bin, "SVUNIT_TEST_OUT="+out, "GORACE=atexit_sleep_ms=0")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("inner manager: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "operation not permitted") {
		t.Errorf("spawn error does not give the reason: %s", b)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the program ran although the switch to nobody failed")
	}
}

// failedSwitchInner is the manager TestFailedSwitchSpawnsNothing runs
// without CAP_SETUID: it prints the spawn error and exits 0 only when the
// start failed.
func failedSwitchInner() int {
	u := testUnit("asnobody", "whoami:"+os.Getenv("SVUNIT_TEST_OUT"), func(s *units.Service) { s.User = "nobody" })
	u.Service.ExecStart[0].Argv = []string{os.Getenv("SVUNIT_TEST_BIN")}
	m, err := New(Config{Units: []*units.Unit{u}})
	if err != nil {
		println(err.Error())
		return 1
	}
	defer m.Shutdown(context.Background())
	jobs, err := m.Start("asnobody")
	if err != nil {
		println(err.Error())
		return 1
	}
	r, reason := jobs[0].Wait()
	snap, _ := m.Unit("asnobody")
	println("result:", r, "reason:", reason, "spawn error:", snap.SpawnError)
	if r != JobFailed {
		return 1
	}
	return 0
}

// TestUMaskAndLimits: UMask= and LimitNOFILE= reach the child, and the
// manager gets its own back.
func TestUMaskAndLimits(t *testing.T) {
	var before syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &before)
	out := tempFile(t, "limits")
	mask := uint32(0o027)
	// A shell reports them: a Go child would raise its own NOFILE at start.
	script := fmt.Sprintf("echo $(umask) $(ulimit -Sn) $(ulimit -Hn) > %s.tmp && mv %[1]s.tmp %[1]s && exec sleep 3600", out)
	m := newManager(t, cmdUnit("limited", []string{"/bin/sh", "-c", script}, func(s *units.Service) {
		s.UMask = &mask
		s.Limits = []units.Rlimit{{Resource: syscall.RLIMIT_NOFILE, Cur: 123, Max: 456}}
	}))
	waitFor(t)(m.Start("limited"))
	hard := uint64(456)
	if !canRaiseHardLimits() {
		hard = before.Max // lowering it for the fork could not be undone
	}
	if got, want := strings.TrimSpace(waitFile(t, out)), fmt.Sprintf("0027 123 %d", hard); got != want {
		t.Errorf("child has umask, NOFILE soft, hard = %q, want %q", got, want)
	}
	var after syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &after)
	if after != before {
		t.Errorf("manager's NOFILE changed from %+v to %+v", before, after)
	}
	old := syscall.Umask(0)
	syscall.Umask(old)
	if uint32(old) != managerUmask {
		t.Errorf("manager's umask is %04o, was %04o", old, managerUmask)
	}
}

// TestSpawnErrorSaysWhat: when the kernel refuses the fork's last steps
// (here nobody may not enter the working directory), the status names the
// program, the user and the directory, not only "permission denied".
func TestSpawnErrorSaysWhat(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test switches users: run it as root (CI does)")
	}
	private := t.TempDir() // 0700, root's
	m := newManager(t, cmdUnit("locked", []string{"/bin/true"}, func(s *units.Service) {
		s.User, s.WorkingDirectory = "nobody", private
	}))
	jobs, err := m.Start("locked")
	if rs := waitJobs(t, jobs, err); rs[0] != JobFailed {
		t.Fatalf("start job = %s", rs[0])
	}
	snap, _ := m.Unit("locked")
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/bin/true", "as uid " + nobody.Uid, private, "permission denied"} {
		if !strings.Contains(snap.SpawnError, want) {
			t.Errorf("spawn error %q does not say %q", snap.SpawnError, want)
		}
	}
}

// TestOutputCannotOpen: a unit whose log file cannot be opened still
// loads and runs, with its output going nowhere and the reason in its
// snapshot.
func TestOutputCannotOpen(t *testing.T) {
	u := cmdUnit("mute", []string{"/bin/sleep", "1000"}, func(s *units.Service) {
		s.StandardOutput = "append:/nonexistent-svunit-dir/mute.log"
	})
	m := newManagerConfig(t, Config{LogDir: t.TempDir()}, u)
	waitUnit(t, m, "mute", 20*time.Second, "showing why its output is lost", func(s Snapshot) bool {
		return strings.Contains(s.Logs.Error, "/nonexistent-svunit-dir/mute.log")
	})
	if rs := waitFor(t)(m.Start("mute")); rs[0] != JobDone {
		t.Errorf("start: %s", rs[0])
	}
}
