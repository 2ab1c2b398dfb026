package service

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"svunit.dev/svunit/compat"
)

// buildSvunit builds the svunit binary from this tree into dir/svunit,
// compiling it once per test run and copying it after that.
func buildSvunit(t *testing.T, dir string) string {
	t.Helper()
	built.Do(func() {
		tmp, err := os.MkdirTemp("", "svunit-build")
		if err != nil {
			built.err = err
			return
		}
		built.dir = tmp
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if out, err := exec.Command(gobin, "build", "-o", filepath.Join(tmp, "svunit"), "svunit.dev/svunit/cmd/svunit").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	b, err := os.ReadFile(filepath.Join(built.dir, "svunit"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "svunit")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// built is the binary buildSvunit compiled; TestMain removes it.
var built struct {
	sync.Once
	dir string
	err error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// run runs argv and returns its combined output and exit status.
func run(t *testing.T, env []string, argv ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return string(out), 0
}

// TestSysVInstall installs svunit as a SysV service for real, as root:
// install-service writes /etc/init.d/NAME and its runlevel links, the init
// script starts the real manager, which starts its unit, status reports it,
// stop stops both, and uninstall-service removes every file install wrote.
//
// The test process makes itself a child subreaper and reaps the manager, as
// init would: the manager is orphaned when the init script exits.
func TestSysVInstall(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installs into /etc/init.d: run as root (CI does)")
	}
	becomeSubreaper(t)

	dir := t.TempDir()
	bin := buildSvunit(t, dir)
	units := napUnits(t, dir)
	name := fmt.Sprintf("svunit-test-%d", os.Getpid())
	script := "/etc/init.d/" + name
	pidfile := "/var/run/" + name + ".pid"
	before := etcRcFiles(t)
	flags := []string{"--backend", "init.d", "--name", name, "--units", units,
		"--bus", filepath.Join(dir, "bus"), "--log-file", filepath.Join(dir, "daemon.log")}
	t.Cleanup(func() {
		exec.Command(script, "stop").Run()
		exec.Command(bin, append([]string{"uninstall-service"}, flags...)...).Run()
	})

	if out, code := run(t, nil, append([]string{bin, "install-service"}, flags...)...); code != 0 {
		t.Fatalf("install-service: exit %d\n%s", code, out)
	}
	if out, code := run(t, nil, "sh", "-n", script); code != 0 {
		t.Fatalf("sh -n %s: %s", script, out)
	}
	if _, err := os.Stat("/etc/rc2.d"); err == nil {
		if _, err := os.Stat("/etc/rc2.d/S50" + name); err != nil {
			t.Errorf("no runlevel link: %v", err)
		}
	}
	if out, code := run(t, nil, append([]string{bin, "install-service"}, flags...)...); code == 0 {
		t.Errorf("a second install-service succeeded: %s", out)
	}

	env := []string{"SVUNIT_START_TIMEOUT=5"}
	if out, code := run(t, env, script, "start"); code != 0 {
		t.Fatalf("%s start: exit %d\n%s\n%s", script, code, out, readFile(dir, "daemon.log"))
	}
	pid := readPid(t, pidfile)
	reaped := reap(pid)
	waitChild(t, pid, "sleep")
	if out, code := run(t, nil, script, "status"); code != 0 || !strings.HasPrefix(out, "Running") {
		t.Errorf("%s status = %d %q, want 0 Running", script, code, out)
	}
	// A user who may not signal the manager still gets the right answer.
	if out, code := run(t, nil, "runuser", "-u", "nobody", "--", script, "status"); code != 0 || !strings.HasPrefix(out, "Running") {
		t.Errorf("%s status as nobody = %d %q, want 0 Running", script, code, out)
	}
	if out, code := run(t, nil, append([]string{bin, "service-status"}, flags...)...); code != 0 || !strings.Contains(out, "running") {
		t.Errorf("service-status = %d %q, want 0 running", code, out)
	}

	if out, code := run(t, nil, script, "stop"); code != 0 {
		t.Fatalf("%s stop: exit %d\n%s", script, code, out)
	}
	select {
	case ws := <-reaped:
		if !ws.Exited() || ws.ExitStatus() != 0 {
			t.Errorf("the manager ended with %v, want exit 0 after SIGTERM", ws)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the manager did not exit after stop")
	}
	if out, code := run(t, nil, script, "status"); code != 3 || !strings.HasPrefix(out, "Stopped") {
		t.Errorf("%s status after stop = %d %q, want 3 Stopped", script, code, out)
	}
	if out, code := run(t, nil, append([]string{bin, "service-status"}, flags...)...); code != 3 {
		t.Errorf("service-status after stop = %d %q, want 3", code, out)
	}

	if out, code := run(t, nil, append([]string{bin, "uninstall-service"}, flags...)...); code != 0 {
		t.Fatalf("uninstall-service: exit %d\n%s", code, out)
	}
	if after := etcRcFiles(t); after != before {
		t.Errorf("uninstall-service left files behind:\nbefore: %s\nafter:  %s", before, after)
	}
	if _, err := os.Stat(pidfile); err == nil {
		t.Errorf("%s is left behind", pidfile)
	}
	if out, code := run(t, nil, append([]string{bin, "service-status"}, flags...)...); code != 4 {
		t.Errorf("service-status after uninstall = %d %q, want 4 (not installed)", code, out)
	}
}

// becomeSubreaper makes the test process inherit the orphans of its
// children, as init does, until the test ends.
func becomeSubreaper(t *testing.T) {
	t.Helper()
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })
}

// napUnits writes dir/units/nap.unit, an enabled unit that sleeps, and
// returns the directory.
func napUnits(t *testing.T, dir string) string {
	t.Helper()
	units := filepath.Join(dir, "units")
	if err := os.MkdirAll(units, 0o755); err != nil {
		t.Fatal(err)
	}
	unit := "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=default.target\n"
	if err := os.WriteFile(filepath.Join(units, "nap.unit"), []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	return units
}

// etcRcFiles lists /etc/init.d, /etc/rc?.d and OpenRC's runlevels, to
// compare before and after.
// The services of these tests run by other processes (another go test on
// this machine, named svunit-KIND-PID) are left out: they come and go.
func etcRcFiles(t *testing.T) string {
	t.Helper()
	var names []string
	for _, pattern := range []string{"/etc/init.d/*", "/etc/rc?.d/*", "/etc/runlevels/*/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range m {
			if p := otherTestService.FindStringSubmatch(n); p == nil || p[1] == strconv.Itoa(os.Getpid()) {
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, " ")
}

var otherTestService = regexp.MustCompile(`svunit-[a-z]+-([0-9]+)$`)

func readFile(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return string(b)
}

func readPid(t *testing.T, pidfile string) int {
	t.Helper()
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s holds %q", pidfile, b)
	}
	return pid
}

// reap waits for pid, which the subreaper test process inherited, and
// sends its status.
func reap(pid int) <-chan syscall.WaitStatus {
	ch := make(chan syscall.WaitStatus, 1)
	go func() {
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			if err != syscall.EINTR {
				break
			}
		}
		ch <- ws
	}()
	return ch
}

// waitChild waits up to 10 s for a child of ppid named comm and returns its
// pid.
func waitChild(t *testing.T, ppid int, comm string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, f := range stats {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			// pid (comm) state ppid …
			s := string(b)
			open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
			if open < 0 || end < open {
				continue
			}
			fields := strings.Fields(s[end+1:])
			if s[open+1:end] == comm && len(fields) > 1 && fields[1] == strconv.Itoa(ppid) {
				pid, _ := strconv.Atoi(strings.Fields(s)[0])
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("pid %d started no %s child within 10s", ppid, comm)
	return 0
}

// checkArgv fails unless pid runs exactly argv.
func checkArgv(t *testing.T, pid int, argv []string) {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(argv, "\x00") + "\x00"; string(cmdline) != want {
		t.Errorf("pid %d runs %q, want %q", pid, cmdline, want)
	}
}

// TestInitScriptHostilePaths runs the generated init.d script with an
// executable, unit directory, bus and log file whose names hold quotes, $,
// backquotes, a backslash and a newline, and checks the real manager's argv
// in /proc and that its bus appears where it was told.
func TestInitScriptHostilePaths(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("writes /var/run/NAME.pid: run as root (CI does)")
	}
	becomeSubreaper(t)

	dir := filepath.Join(t.TempDir(), "it's \"q\" $HOME `x` \\b\n<&>%")
	units := napUnits(t, dir)
	o := compat.Options{
		Name:       fmt.Sprintf("svunit-hostile-%d", os.Getpid()),
		Executable: buildSvunit(t, dir),
		Units:      units,
		Bus:        filepath.Join(dir, "bus"),
		LogFile:    filepath.Join(dir, "daemon.log"),
	}
	text, err := compat.Generate(compat.SysV, o)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "init.d")
	if err := os.WriteFile(script, text, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command(script, "stop").Run() })

	if out, code := run(t, nil, script, "start"); code != 0 {
		t.Fatalf("start: exit %d\n%s\n%s", code, out, readFile(dir, "daemon.log"))
	}
	pid := readPid(t, "/var/run/"+o.Name+".pid")
	reaped := reap(pid)
	checkArgv(t, pid, append([]string{o.Executable}, o.DaemonArgs()...))
	if fi, err := os.Stat(o.Bus); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("no bus socket at %q: %v", o.Bus, err)
	}
	waitChild(t, pid, "sleep")
	if out, code := run(t, nil, script, "stop"); code != 0 {
		t.Fatalf("stop: exit %d\n%s", code, out)
	}
	select {
	case <-reaped:
	case <-time.After(30 * time.Second):
		t.Fatal("the manager did not exit after stop")
	}
}
