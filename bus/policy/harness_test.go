package policy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A world is what the access tests share: a directory every user can
// traverse, the svunit binary and a throwaway user in a throwaway group.
type world struct {
	t           *testing.T
	dir, bin    string
	user, group string
	uid         string
	pyClient    string // path of the python3-dbus client script
}

// newWorld builds svunit and creates the user (in the group, as a
// supplementary group). Cleanup removes both and the directory.
func newWorld(t *testing.T) *world {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the access tests switch users, so they run as root (CI does)")
	}
	dir, err := os.MkdirTemp("", "svunit-access-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { // MkdirTemp makes it 0700
		t.Fatal(err)
	}
	w := &world{t: t, dir: dir, bin: filepath.Join(dir, "svunit")}
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", w.bin, "svunit.dev/svunit/cmd/svunit").CombinedOutput()
	if err != nil {
		t.Fatalf("building svunit: %v\n%s", err, out)
	}
	suffix := fmt.Sprint(os.Getpid() % 100000)
	w.user, w.group = "svpol"+suffix, "svpolg"+suffix
	run(t, "groupadd", w.group)
	t.Cleanup(func() { undo(t, "groupdel", w.group) })
	run(t, "useradd", "-M", "-N", "-G", w.group, "-s", "/bin/sh", w.user)
	t.Cleanup(func() { undo(t, "userdel", w.user) })
	w.uid = strings.TrimSpace(run(t, "id", "-u", w.user))
	w.pyClient = w.write(t, "client.py", pyClient, 0o644)
	return w
}

// undo runs a cleanup command, and says when it fails: a test must not
// leave users behind.
func undo(t *testing.T, name string, args ...string) {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// run runs a command that must succeed and returns its output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// write creates a file in the world's directory and returns its path.
func (w *world) write(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // WriteFile keeps an existing file's mode
		t.Fatal(err)
	}
	return p
}

// A daemon is a root 'svunit daemon' whose stderr (its log) is kept.
type daemon struct {
	w      *world
	socket string
	mu     sync.Mutex
	log    bytes.Buffer // guarded by mu
}

// startDaemon runs the daemon on the world's units and waits until it is
// ready. Cleanup stops it with SIGTERM and waits for it.
func (w *world) startDaemon(socket string, args ...string) *daemon {
	w.t.Helper()
	d := &daemon{w: w, socket: filepath.Join(w.dir, socket)}
	args = append([]string{"daemon", "--units", filepath.Join(w.dir, "units"), "--bus", d.socket,
		"--log-dir", filepath.Join(w.dir, "log")}, args...)
	cmd := exec.Command(w.bin, args...)
	stderr, _ := cmd.StderrPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			d.mu.Lock()
			d.log.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	w.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			w.t.Errorf("the daemon did not exit within 30s of SIGTERM")
		}
	})
	ready, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(ready, "manager ready") {
		w.t.Fatalf("the daemon did not get ready: %q, %v\n%s", ready, err, d.logText())
	}
	go io.Copy(io.Discard, stdout)
	return d
}

func (d *daemon) logText() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// waitLog waits until the daemon's log has a line containing every one of
// parts, and fails the test after 10s.
func (d *daemon) waitLog(t *testing.T, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, line := range strings.Split(d.logText(), "\n") {
			if containsAll(line, parts) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q; the log:\n%s", parts, d.logText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// as runs a command as the world's user, with a clean environment, and
// returns its stdout, stderr and exit status.
func (w *world) as(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	return w.asUser(t, w.user, name, args...)
}

// asUser is as for any user.
func (w *world) asUser(t *testing.T, user, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", user, "--", name}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/", "LANG=C.UTF-8"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// svunit runs the CLI as the world's user against d.
func (d *daemon) svunit(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return d.w.as(t, d.w.bin, append([]string{"--bus", d.socket}, args...)...)
}

// A call is one D-Bus method call for the python3-dbus client.
type call struct {
	Dest, Path, Iface, Method, Sig string
	Args                           []any
}

// A result is what the client got back: the reply, or the error's name
// and message.
type result struct {
	OK                bool
	Result, Name, Msg string
}

// pyCalls makes calls, in order, as the world's user from one python3-dbus
// connection to d.
func (d *daemon) pyCalls(t *testing.T, calls ...call) []result {
	t.Helper()
	js, _ := json.Marshal(calls)
	out, errOut, code := d.w.as(t, "/usr/bin/python3", d.w.pyClient, "unix:path="+d.socket, string(js))
	if code != 0 {
		t.Fatalf("python3 client: exit %d\n%s%s", code, out, errOut)
	}
	var rs []result
	if err := json.Unmarshal([]byte(out), &rs); err != nil || len(rs) != len(calls) {
		t.Fatalf("python3 client printed %q: %v", out, err)
	}
	return rs
}

// pyClient makes the calls given as JSON in argv[2] on the bus at argv[1]
// and prints one result per call. A call without Dest is a signal to send.
const pyClient = `import sys, json, dbus
bus = dbus.bus.BusConnection(sys.argv[1])
out = []
for c in json.loads(sys.argv[2]):
    try:
        if c["Dest"] == "":  # a signal, broadcast; the bus says nothing back
            bus.send_message(dbus.lowlevel.SignalMessage(c["Path"], c["Iface"], c["Method"]))
            out.append({"OK": True, "Result": "sent"})
            continue
        obj = bus.get_object(c["Dest"], c["Path"], introspect=False)
        r = obj.get_dbus_method(c["Method"], c["Iface"])(*(c["Args"] or []), signature=c["Sig"])
        out.append({"OK": True, "Result": repr(r)})
    except dbus.exceptions.DBusException as e:
        out.append({"OK": False, "Name": e.get_dbus_name() or "", "Msg": e.get_dbus_message() or ""})
print(json.dumps(out))
`
