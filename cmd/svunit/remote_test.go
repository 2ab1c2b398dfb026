package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
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
		specs = append(specs, startSSHD(t, dir, name, binDir, d.socket, keys))
		daemons = append(daemons, d)
	}
	// Only the test's key is offered, and only the test's host key is
	// trusted: a mix-up with another sshd fails loudly.
	ssh := []string{"--ssh-option", "-F/dev/null", "--ssh-option", "IdentityFile=" + keys.client, "--ssh-option", "IdentitiesOnly=yes",
		"--ssh-option", "UserKnownHostsFile=" + keys.knownHosts, "--ssh-option", "GlobalKnownHostsFile=/dev/null",
		"--ssh-option", "StrictHostKeyChecking=yes", "--ssh-option", "LogLevel=ERROR"}
	remote := func(t *testing.T, hosts string, args ...string) (string, string, int) {
		t.Helper()
		return runSvunit(t, bin, append(append([]string{"-H", hosts}, ssh...), args...)...)
	}
	both := strings.Join(specs, ",")
	for _, d := range daemons {
		waitFor(t, "web.unit to become active on "+d.socket, func() bool { _, _, code := d.svunit("status", "web"); return code == 0 })
	}
	t.Run("status", func(t *testing.T) { testRemoteStatus(t, remote, both, specs) })
	t.Run("restart", func(t *testing.T) { testRemoteRestart(t, remote, both, specs, daemons) })
	t.Run("logs", func(t *testing.T) { testRemoteLogs(t, remote, both, specs) })
	t.Run("logs -f", func(t *testing.T) {
		testRemoteFollow(t, append([]string{"-H", specs[0]}, ssh...), specs[0], daemons[0].with(t), true)
	})
	t.Run("failing host", func(t *testing.T) { testRemoteFailure(t, remote, specs[0]) })
	t.Run("as a user", func(t *testing.T) { testRemoteUser(t, remote, user, specs[0]) })
	t.Run("logs -f as a user", func(t *testing.T) { // AllowUsers= grants logs; a script's kill ends it
		h := user + "@" + specs[0]
		testRemoteFollow(t, append([]string{"-H", h}, ssh...), h, daemons[0].with(t), false)
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
// removes it. The name is the first of this process's that is free.
func throwawayUser(t *testing.T) string {
	for i := 0; ; i++ {
		name := fmt.Sprintf("svrem%d_%d", os.Getpid(), i)
		// "*": no password, yet not a locked account, which sshd would refuse.
		out, err := exec.Command("useradd", "-M", "-p", "*", "-s", "/bin/sh", name).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 9 && i < 10 {
			continue // the name is taken
		}
		if err != nil {
			t.Fatalf("useradd %s: %v\n%s", name, err, out)
		}
		t.Cleanup(func() { removeUser(t, name) })
		return name
	}
}

// removeUser deletes a test's user. userdel refuses while a process of the
// user lives (status 8), as an ssh session's may for a moment after sshd
// stops, so it is retried until a deadline.
func removeUser(t *testing.T, name string) {
	var out []byte
	var err error
	if !poll(func() bool {
		out, err = exec.Command("userdel", name).CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		return err == nil || !ok || ee.ExitCode() != 8
	}) || err != nil {
		t.Errorf("userdel %s: %v\n%s", name, err, out)
	}
}

// sshKeyFiles are the throwaway keys of the test's sshds and client, and
// the client's known_hosts, which trusts the sshds' host key alone.
type sshKeyFiles struct{ host, client, authorized, knownHosts string }

func sshKeys(t *testing.T, dir string) sshKeyFiles {
	k := sshKeyFiles{filepath.Join(dir, "host_key"), filepath.Join(dir, "client_key"), filepath.Join(dir, "authorized_keys"), filepath.Join(dir, "known_hosts")}
	for _, f := range []string{k.host, k.client} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(k.client + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, k.authorized, string(pub))
	hostPub, err := os.ReadFile(k.host + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, k.knownHosts, "* "+string(hostPub))
	return k
}

// startSSHD serves ssh on a port of 127.0.0.1, with sessions that find
// svunit in binDir and the manager at bus, and returns its HOST:PORT.
// The test holds the listener from start to end and runs 'sshd -i' (inetd
// mode) for each connection, so no port is freed and bound again, where
// another sshd could take it. Cleanup stops it.
func startSSHD(t *testing.T, dir, name, binDir, bus string, k sshKeyFiles) string {
	config := filepath.Join(dir, name+"_sshd_config")
	writeTestFile(t, config, strings.Join([]string{
		"HostKey " + k.host, "AuthorizedKeysFile " + k.authorized,
		"PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "PidFile none",
		"SetEnv PATH=" + binDir + ":/usr/bin:/bin SVUNIT_BUS=" + bus, ""}, "\n"))
	os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	if out, err := exec.Command("/usr/sbin/sshd", "-t", "-f", config).CombinedOutput(); err != nil {
		t.Fatalf("sshd -t -f %s: %v\n%s", config, err, out)
	}
	log, err := os.OpenFile(filepath.Join(dir, name+"_sshd.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sshServer{ln: ln, config: config, log: log, procs: map[*exec.Cmd]bool{}}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		s.close()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("sshd -i for %s:\n%s", name, b)
		}
	})
	return ln.Addr().String()
}

// An sshServer runs 'sshd -i' for each connection to its listener.
type sshServer struct {
	ln     net.Listener
	config string
	log    *os.File       // the sshds' stderr
	wg     sync.WaitGroup // serve and the waits for each sshd

	mu     sync.Mutex // guards the fields below
	procs  map[*exec.Cmd]bool
	closed bool
}

func (s *sshServer) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.start(conn.(*net.TCPConn))
	}
}

// start runs sshd on conn; the sshd keeps its own copy of the socket.
func (s *sshServer) start(conn *net.TCPConn) {
	defer conn.Close()
	f, err := conn.File()
	if err != nil {
		fmt.Fprintf(s.log, "test: %v\n", err)
		return
	}
	defer f.Close()
	cmd := exec.Command("/usr/sbin/sshd", "-i", "-e", "-f", s.config)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f, f, s.log
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(s.log, "test: %v\n", err)
		return
	}
	s.mu.Lock()
	s.procs[cmd] = true
	if s.closed {
		cmd.Process.Signal(syscall.SIGTERM)
	}
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		cmd.Wait()
		s.mu.Lock()
		delete(s.procs, cmd)
		s.mu.Unlock()
	}()
}

// close stops accepting, ends the sshds still serving and waits for them.
func (s *sshServer) close() {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for cmd := range s.procs {
		cmd.Process.Signal(syscall.SIGTERM)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// refusedAddr returns a HOST:PORT of 127.0.0.1 that refuses connections
// until the test ends: a socket bound there that never listens holds the
// port, so nothing else can listen on it meanwhile.
func refusedAddr(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0) // no SOCK_CLOEXEC on darwin, which .ci/crossbuild vets
	if err != nil {
		t.Fatal(err)
	}
	syscall.CloseOnExec(fd)
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
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

func testRemoteRestart(t *testing.T, remote remoteFunc, both string, specs []string, ds []*daemon) {
	pids := func() []string {
		var ps []string
		for _, d := range ds {
			v := d.with(t).status("web")
			if len(v) != 1 {
				t.Fatalf("status -o json web on %s: %v", d.socket, v)
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

// testRemoteFailure adds a host that refuses connections: the good host still
// answers, the bad one is labelled with ssh's complaint, and the exit
// status says something failed.
func testRemoteFailure(t *testing.T, remote remoteFunc, good string) {
	bad := refusedAddr(t)
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
func testRemoteFollow(t *testing.T, global []string, host string, d *daemon, ctrlC bool) {
	cmd := exec.Command(d.bin, append(global, "logs", "-f", "-n", "1", "web")...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	followed := startLines(t, cmd)
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // only if it is still there: the group is ours
	}()
	expectLine(t, followed, "-H logs -f", host+": hello from alpha")
	d.expect(0, "restart", "web")
	expectLine(t, followed, "-H logs -f after a restart", host+": hello from alpha")
	if ctrlC {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	} else {
		cmd.Process.Signal(syscall.SIGTERM)
	}
	if err := waitExit(t, cmd, "-H logs -f after its signal"); !ctrlC && err != nil {
		t.Errorf("-H logs -f after SIGTERM: %v (want exit 0: the child ended as asked)", err)
	}
	// Nothing of the group is left: the -H child and ssh ended too.
	waitFor(t, "the processes of -H logs -f to end", func() bool { return syscall.Kill(-cmd.Process.Pid, 0) != nil })
}
