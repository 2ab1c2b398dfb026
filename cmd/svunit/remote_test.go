package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// remoteUnit is web.unit on one "host": it greets with the host's name,
// and the test's user may see its status and logs and restart it.
const remoteUnit = "[Unit]\nAllowUsers=%s:status,logs,restart\n[Service]\nExecStart=/bin/sh -c 'echo hello from %s; exec sleep 1000'\nStartSecs=0\nTimeoutStopSec=5s\n[Install]\nWantedBy=default.target\n"

// TestRemoteOverSSH runs 'svunit -H' through real sshds on 127.0.0.1, one
// per "host", each pointing its sessions at its own manager's bus.
func TestRemoteOverSSH(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test starts sshd and switches users, so it runs as root (CI does)")
	}
	dir := openDir(t)
	binDir := filepath.Join(dir, "bin")
	os.Mkdir(binDir, 0o755)
	bin := filepath.Join(binDir, "svunit")
	if out, err := exec.Command("cp", buildSvunit(t), bin).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	user := throwawayUser(t)
	keys := sshKeys(t, dir)
	var specs []string
	var daemons []*daemon
	for _, name := range []string{"alpha", "beta"} {
		d := startDaemon(t, bin, map[string]string{"web.unit": fmt.Sprintf(remoteUnit, user, name)})
		os.Chmod(d.dir, 0o755) // so that the user's bridge reaches the socket
		os.Chmod(filepath.Dir(d.dir), 0o755)
		port := startSSHD(t, dir, name, binDir, d.socket, keys)
		specs = append(specs, "127.0.0.1:"+port)
		daemons = append(daemons, d)
	}
	ssh := []string{"--ssh-option", "-F/dev/null", "--ssh-option", "IdentityFile=" + keys.client,
		"--ssh-option", "UserKnownHostsFile=/dev/null", "--ssh-option", "StrictHostKeyChecking=no", "--ssh-option", "LogLevel=ERROR"}
	remote := func(t *testing.T, hosts string, args ...string) (string, string, int) {
		t.Helper()
		return runSvunit(t, bin, append(append([]string{"-H", hosts}, ssh...), args...)...)
	}
	both := strings.Join(specs, ",")
	for _, d := range daemons {
		waitActive(t, bin, d.socket, "web")
	}
	t.Run("status", func(t *testing.T) { testRemoteStatus(t, remote, both, specs) })
	t.Run("restart", func(t *testing.T) { testRemoteRestart(t, remote, both, specs, bin, daemons) })
	t.Run("logs", func(t *testing.T) { testRemoteLogs(t, remote, both, specs) })
	t.Run("logs -f", func(t *testing.T) {
		testRemoteFollow(t, bin, append([]string{"-H", specs[0]}, ssh...), specs[0], daemons[0], true)
	})
	t.Run("failing host", func(t *testing.T) { testRemoteFailure(t, remote, specs[0]) })
	t.Run("as a user", func(t *testing.T) { testRemoteUser(t, remote, user, specs[0]) })
	t.Run("logs -f as a user", func(t *testing.T) { // AllowUsers= grants logs; a script's kill ends it
		h := user + "@" + specs[0]
		testRemoteFollow(t, bin, append([]string{"-H", h}, ssh...), h, daemons[0], false)
	})
}

// openDir is a temporary directory every user can traverse.
func openDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "svunit-remote-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	return dir
}

// throwawayUser creates a user with a shell for ssh sessions; Cleanup
// removes it.
func throwawayUser(t *testing.T) string {
	name := fmt.Sprintf("svrem%d", os.Getpid()%100000)
	// "*": no password, yet not a locked account, which sshd would refuse.
	if out, err := exec.Command("useradd", "-M", "-p", "*", "-s", "/bin/sh", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v\n%s", err, out)
	}
	t.Cleanup(func() { removeUser(t, name) })
	return name
}

// removeUser deletes a test's user. userdel refuses while a process of the
// user lives (status 8), as an ssh session's may for a moment after sshd
// stops, so it is retried until a deadline.
func removeUser(t *testing.T, name string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("userdel", name).CombinedOutput()
		if err == nil {
			return
		}
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 8 || time.Now().After(deadline) {
			t.Errorf("userdel %s: %v\n%s", name, err, out)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sshKeyFiles are the throwaway keys of the test's sshds and client.
type sshKeyFiles struct{ host, client, authorized string }

func sshKeys(t *testing.T, dir string) sshKeyFiles {
	k := sshKeyFiles{filepath.Join(dir, "host_key"), filepath.Join(dir, "client_key"), filepath.Join(dir, "authorized_keys")}
	for _, f := range []string{k.host, k.client} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(k.client + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.authorized, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	return k
}

// startSSHD runs sshd on a free port of 127.0.0.1 whose sessions find
// svunit in binDir and the manager at bus. Cleanup stops it.
func startSSHD(t *testing.T, dir, name, binDir, bus string, k sshKeyFiles) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	config := filepath.Join(dir, name+"_sshd_config")
	os.WriteFile(config, []byte(strings.Join([]string{
		"Port " + port, "ListenAddress 127.0.0.1", "HostKey " + k.host, "AuthorizedKeysFile " + k.authorized,
		"PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "PidFile none",
		"SetEnv PATH=" + binDir + ":/usr/bin:/bin SVUNIT_BUS=" + bus, ""}, "\n")), 0o644)
	os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	cmd := exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", config)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Server listening on") {
			go func() {
				for sc.Scan() {
				}
			}()
			return port
		}
	}
	t.Fatalf("sshd on port %s did not start (see %s)", port, config)
	return ""
}

// waitActive waits until unit is active on the manager at bus.
func waitActive(t *testing.T, bin, bus, unit string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, _, code := runSvunit(t, bin, "--bus", bus, "status", unit); code == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not become active on %s", unit, bus)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type remoteFunc func(t *testing.T, hosts string, args ...string) (string, string, int)

// labelled returns the lines of out labelled with host, without the label.
func labelled(out, host string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, host+": "); ok {
			lines = append(lines, rest)
		}
	}
	return lines
}

func testRemoteStatus(t *testing.T, remote remoteFunc, both string, specs []string) {
	out, errOut, code := remote(t, both, "status", "web")
	if code != 0 {
		t.Fatalf("-H %s status web: exit %d\n%s%s", both, code, out, errOut)
	}
	for _, h := range specs {
		if ls := labelled(out, h); len(ls) == 0 || !strings.Contains(strings.Join(ls, "\n"), "web.unit") {
			t.Errorf("no status of web.unit labelled %q in:\n%s", h, out)
		}
	}
	out, _, code = remote(t, both, "-o", "json", "status", "web")
	var rs []struct {
		Host   string
		Status int
		Output []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &rs); err != nil || code != 0 || len(rs) != 2 || rs[1].Host != specs[1] || len(rs[1].Output) != 1 {
		t.Errorf("-o json status: exit %d, %v:\n%s", code, err, out)
	}
}

func testRemoteRestart(t *testing.T, remote remoteFunc, both string, specs []string, bin string, ds []*daemon) {
	pids := func() []string {
		var ps []string
		for _, d := range ds {
			out, _, _ := runSvunit(t, bin, "--bus", d.socket, "-o", "json", "status", "web")
			var v []map[string]any
			json.Unmarshal([]byte(out), &v)
			if len(v) != 1 {
				t.Fatalf("status -o json: %s", out)
			}
			ps = append(ps, fmt.Sprint(v[0]["pid"]))
		}
		return ps
	}
	before := pids()
	out, errOut, code := remote(t, both, "restart", "web")
	if code != 0 {
		t.Fatalf("-H restart: exit %d\n%s%s", code, out, errOut)
	}
	for _, h := range specs {
		if ls := labelled(out, h); len(ls) != 1 || !strings.Contains(ls[0], "restarted") {
			t.Errorf("restart output for %s: %q\nall: %s", h, ls, out)
		}
	}
	after := pids()
	for i := range before {
		if before[i] == after[i] {
			t.Errorf("%s: web.unit's pid is still %s after -H restart", specs[i], before[i])
		}
	}
}

func testRemoteLogs(t *testing.T, remote remoteFunc, both string, specs []string) {
	out, errOut, code := remote(t, both, "logs", "web")
	if code != 0 {
		t.Fatalf("-H logs web: exit %d\n%s%s", code, out, errOut)
	}
	for i, h := range specs {
		want := "hello from " + []string{"alpha", "beta"}[i]
		if ls := labelled(out, h); !strings.Contains(strings.Join(ls, "\n"), want) {
			t.Errorf("logs of %s lack %q: %q", h, want, ls)
		}
	}
}

// testRemoteFailure adds a host where nothing listens: the good host still
// answers, the bad one is labelled with ssh's complaint, and the exit
// status says something failed.
func testRemoteFailure(t *testing.T, remote remoteFunc, good string) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	bad := ln.Addr().String()
	ln.Close()
	out, errOut, code := remote(t, good+","+bad, "status", "web")
	if code == 0 || len(labelled(out, good)) == 0 || len(labelled(errOut, bad)) == 0 {
		t.Errorf("-H %s,%s status: exit %d\nstdout: %s\nstderr: %s", good, bad, code, out, errOut)
	}
}

// testRemoteUser logs in as a normal user: the remote manager's policy
// applies to the ssh user.
func testRemoteUser(t *testing.T, remote remoteFunc, user, host string) {
	h := user + "@" + host
	if out, errOut, code := remote(t, h, "restart", "web"); code != 0 {
		t.Errorf("-H %s restart web: exit %d\n%s%s", h, code, out, errOut)
	}
	out, errOut, code := remote(t, h, "stop", "web")
	if code != 4 || !strings.Contains(strings.Join(labelled(errOut, h), "\n"), "may not stop web.unit") {
		t.Errorf("-H %s stop web: exit %d (want 4)\nstdout: %s\nstderr: %s", h, code, out, errOut)
	}
}

func TestParseHosts(t *testing.T) {
	good := map[string]sshHost{
		"web1":               {spec: "web1", host: "web1"},
		"deploy@db1:2222":    {spec: "deploy@db1:2222", user: "deploy", host: "db1", port: "2222"},
		"[::1]:22":           {spec: "[::1]:22", host: "::1", port: "22"},
		"fe80::1":            {spec: "fe80::1", host: "fe80::1"},
		"a@b@host":           {spec: "a@b@host", user: "a@b", host: "host"},
		"root@[2001:db8::2]": {spec: "root@[2001:db8::2]", user: "root", host: "2001:db8::2"},
	}
	for spec, want := range good {
		if h, err := parseHost(spec); err != nil || h != want {
			t.Errorf("parseHost(%q) = %+v, %v; want %+v", spec, h, err, want)
		}
	}
	for _, bad := range []string{"", "@host", "host:x22", "[::1", "[::1]x", "-oProxyCommand=x", "user@"} {
		if h, err := parseHost(bad); err == nil {
			t.Errorf("parseHost(%q) = %+v, want an error", bad, h)
		}
	}
	if hs, err := parseHosts("a, b:1"); err != nil || len(hs) != 2 || hs[1].port != "1" {
		t.Errorf("parseHosts: %+v, %v", hs, err)
	}
}

func TestSSHArgs(t *testing.T) {
	g := &globals{sshOptions: []string{"Port=1", "-F/dev/null"}, bus: "/run/a b/bus"}
	args, err := g.sshArgs(sshHost{host: "h", user: "u", port: "22"})
	want := "-o Port=1 -F/dev/null -o BatchMode=yes -T -x -p 22 -l u -- h svunit --bus '/run/a b/bus' bus-bridge"
	if err != nil || strings.Join(args, " ") != want {
		t.Errorf("sshArgs:\n got %q, %v\nwant %q", strings.Join(args, " "), err, want)
	}
}

func TestCombinedStatus(t *testing.T) {
	for _, c := range []struct {
		statuses []int
		want     int
	}{{[]int{0, 0}, 0}, {[]int{0, 3}, 3}, {[]int{3, 0, 3}, 3}, {[]int{3, 5}, 1}} {
		var rs []hostResult
		for _, s := range c.statuses {
			rs = append(rs, hostResult{Status: s})
		}
		if got := combinedStatus(rs); got != c.want {
			t.Errorf("combinedStatus(%v) = %d, want %d", c.statuses, got, c.want)
		}
	}
}

// testRemoteFollow runs 'svunit -H HOST logs -f web', which follows
// without a file descriptor (none crosses ssh): it prints the last line,
// then the line web writes when it restarts, and ends with every process it
// started: on Ctrl-C (SIGINT to its process group, as a terminal sends it)
// when ctrlC, else on SIGTERM to it alone (a script's kill), which it
// passes on.
func testRemoteFollow(t *testing.T, bin string, global []string, host string, d *daemon, ctrlC bool) {
	cmd := exec.Command(bin, append(global, "logs", "-f", "-n", "1", "web")...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // only if it is still there: the group is ours
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("-H logs -f printed %q, want %q", got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("-H logs -f: no line %q within 20s", want)
		}
	}
	expect(host + ": hello from alpha")
	if out, errOut, code := runSvunit(t, bin, "--bus", d.socket, "restart", "web"); code != 0 {
		t.Fatalf("restart web: exit %d\n%s%s", code, out, errOut)
	}
	expect(host + ": hello from alpha")
	if ctrlC {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	} else {
		cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case err := <-exited:
		if !ctrlC && err != nil {
			t.Errorf("-H logs -f after SIGTERM: %v (want exit 0: the child ended as asked)", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("-H logs -f did not end within 20s of its signal")
	}
	// Nothing of the group is left: the -H child and ssh ended too.
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(-cmd.Process.Pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("processes of -H logs -f outlived it by 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
