package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestLogsJournal runs a real daemon whose unit logs to a real
// systemd-journald, both in a private mount namespace (tmpfs on
// /run/systemd and /run/log), and reads the unit's lines back with
// 'svunit logs', which runs journalctl with the unit's match.
func TestLogsJournal(t *testing.T) {
	bin := buildSvunit(t)
	ns := newMountNS(t)
	// /var/log/journal too when it exists, so that a persistent host
	// journal is never written by this journald.
	for _, d := range []string{"/run/systemd", "/run/log", "/var/log/journal"} {
		if _, err := os.Stat(d); err != nil && d == "/var/log/journal" {
			continue
		}
		ns.run(t, "mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", d)
	}
	ns.start(t, "/lib/systemd/systemd-journald")
	waitPath(t, ns, "/run/systemd/journal/socket")

	dir := t.TempDir()
	units, sock := filepath.Join(dir, "units"), filepath.Join(dir, "bus")
	os.Mkdir(units, 0o755)
	writeTestFile(t, filepath.Join(units, "talk.unit"), "[Service]\nExecStart=/bin/sh -c 'echo one; echo two; echo oops >&2; exec sleep 1000'\n"+
		"StandardOutput=journal\nStandardError=journal\nStartSecs=0\nTimeoutStopSec=5s\n")
	daemon := startDaemonProc(t, ns.cmd(bin, "daemon", "--units", units, "--bus", sock, "--log-dir", filepath.Join(dir, "log")))
	if out, err := ns.cmd(bin, "--bus", sock, "start", "talk").CombinedOutput(); err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	var out []byte
	if !poll(func() bool {
		out, _ = ns.cmd(bin, "--bus", sock, "logs", "-n", "5", "talk").Output()
		return string(out) == "one\ntwo\n"
	}) {
		t.Fatalf("svunit logs talk (journal): %q", out)
	}
	out, err := ns.cmd(bin, "--bus", sock, "logs", "--stderr", "-n", "1", "talk").Output()
	if err != nil || string(out) != "oops\n" {
		t.Errorf("svunit logs --stderr talk (journal): %q, %v", out, err)
	}
	if err := daemon.stop(); err != nil {
		t.Error(err)
	}
}

// A mountNS is a private mount namespace held open by a process that
// waits on its stdin; commands join it with nsenter.
type mountNS struct {
	pid int
}

func newMountNS(t *testing.T) *mountNS {
	t.Helper()
	holder := exec.Command("unshare", "-m", "--propagation", "private", "cat")
	in, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	holder.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := holder.Start(); err != nil {
		t.Fatalf("unshare (util-linux): %v", err)
	}
	t.Cleanup(func() { in.Close(); holder.Wait() })
	ns := &mountNS{pid: holder.Process.Pid}
	// unshare execs cat once the namespace exists.
	self, _ := os.Readlink("/proc/self/ns/mnt")
	waitFor(t, "unshare to make a mount namespace", func() bool {
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(ns.pid) + "/comm")
		other, _ := os.Readlink("/proc/" + strconv.Itoa(ns.pid) + "/ns/mnt")
		return strings.TrimSpace(string(comm)) == "cat" && other != self
	})
	return ns
}

func (ns *mountNS) cmd(name string, args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"-t", strconv.Itoa(ns.pid), "-m", "--", name}, args...)...)
}

func (ns *mountNS) run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := ns.cmd(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// start runs a long-lived process in the namespace until the test ends.
func (ns *mountNS) start(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	c := ns.cmd(name, args...)
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, _ := c.StdoutPipe()
	c.Stderr = os.Stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, bufio.NewReader(out))
	t.Cleanup(func() {
		if c.ProcessState == nil {
			c.Process.Signal(syscall.SIGTERM)
			c.Wait()
		}
	})
	return c
}

// waitPath waits until path exists inside the namespace.
func waitPath(t *testing.T, ns *mountNS, path string) {
	t.Helper()
	full := "/proc/" + strconv.Itoa(ns.pid) + "/root" + path
	waitFor(t, path+" to appear in the namespace", func() bool {
		_, err := os.Stat(full)
		return err == nil
	})
}
