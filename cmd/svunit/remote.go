package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/compat"
)

// This file is 'svunit -H [USER@]HOST[:PORT][,HOST…] VERB …': the verb runs
// against the manager of each host, through 'ssh HOST svunit bus-bridge'.
// Nothing listens on the network; authentication and encryption are ssh's,
// and the remote manager sees the ssh user's uid, so its access policy
// applies as to a local user.
//
// The parent runs one child per host (this binary again, with the hidden
// flag --via-ssh HOST), in parallel, and labels each line the children
// print with its host. A child is an ordinary client whose bus connection
// is an ssh pipe.

// localVerbs work on this machine's files, not on a manager, so -H makes
// no sense for them.
var localVerbs = map[string]bool{
	"daemon": true, "verify": true, "cat": true, "generate": true, "import": true, "help": true,
	"version": true, "bus-bridge": true, "install-service": true, "uninstall-service": true, "service-status": true,
}

// A sshHost is one -H entry.
type sshHost struct {
	spec       string // as written, the label of its output
	user, host string
	port       string // "" for ssh's default
}

// parseHosts splits -H's value: comma-separated [USER@]HOST[:PORT], with
// an IPv6 address in brackets when a port follows ([::1]:2222).
func parseHosts(v string) ([]sshHost, error) {
	var hosts []sshHost
	for _, spec := range strings.Split(v, ",") {
		h, err := parseHost(strings.TrimSpace(spec))
		if err != nil {
			return nil, usageErrorf("-H %q: %v", v, err)
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

func parseHost(spec string) (sshHost, error) {
	h := sshHost{spec: spec}
	rest := spec
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		h.user, rest = rest[:i], rest[i+1:]
		if h.user == "" {
			return h, fmt.Errorf("%q has an empty user before '@'", spec)
		}
	}
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return h, fmt.Errorf("%q: '[' without ']'", spec)
		}
		h.host, rest = rest[1:end], rest[end+1:]
		if rest != "" && !strings.HasPrefix(rest, ":") {
			return h, fmt.Errorf("%q: text after ']' that is not :PORT", spec)
		}
		h.port = strings.TrimPrefix(rest, ":")
	case strings.Count(rest, ":") == 1:
		h.host, h.port, _ = strings.Cut(rest, ":")
	default: // a bare IPv6 address, or a name
		h.host = rest
	}
	if h.host == "" || strings.HasPrefix(h.host, "-") {
		return h, fmt.Errorf("%q names no host", spec)
	}
	for _, c := range h.port {
		if c < '0' || c > '9' {
			return h, fmt.Errorf("%q: port %q is not a number", spec, h.port)
		}
	}
	return h, nil
}

// sshArgs is the ssh command line that runs the bridge on h. The user's
// --ssh-option values come first, since ssh keeps the first value it sees
// for an option; BatchMode keeps parallel sessions from prompting.
func (g *globals) sshArgs(h sshHost) ([]string, error) {
	var args []string
	for _, o := range g.sshOptions {
		if strings.HasPrefix(o, "-") {
			args = append(args, o)
		} else {
			args = append(args, "-o", o)
		}
	}
	args = append(args, "-o", "BatchMode=yes", "-T", "-x")
	if h.port != "" {
		args = append(args, "-p", h.port)
	}
	if h.user != "" {
		args = append(args, "-l", h.user)
	}
	remote := []string{"svunit"}
	switch {
	case g.bus != "":
		remote = append(remote, "--bus", g.bus)
	case g.system:
		remote = append(remote, "--system")
	case g.user:
		remote = append(remote, "--user")
	}
	remote = append(remote, "bus-bridge")
	for i, w := range remote {
		q, err := compat.ShellQuote(w)
		if err != nil {
			return nil, usageErrorf("--bus: %v", err)
		}
		remote[i] = q
	}
	return append(args, "--", h.host, strings.Join(remote, " ")), nil
}

// sshShared is the ssh connection of a -H child. go-systemd dials twice
// (one connection for calls, one for signals); over ssh both share one
// session, which halves the handshakes. Guarded by its mutex.
var sshShared struct {
	sync.Mutex
	conn *dbus.Conn
}

// dial connects to the bus at path, or, in a -H child, to the remote bus
// through ssh (one session, reused while it is open).
func (g *globals) dial(path string) (*dbus.Conn, error) {
	if g.viaSSH == "" {
		return dbus.Connect(busAddress(path))
	}
	sshShared.Lock()
	defer sshShared.Unlock()
	if c := sshShared.conn; c != nil && c.Connected() {
		return c, nil
	}
	c, err := g.dialRemote()
	sshShared.conn = c
	return c, err
}

// dialRemote starts the ssh session of a -H child.
func (g *globals) dialRemote() (*dbus.Conn, error) {
	h, err := parseHost(g.viaSSH)
	if err != nil {
		return nil, err
	}
	args, err := g.sshArgs(h)
	if err != nil {
		return nil, err
	}
	return dialSSH(args)
}

// dialSSH starts ssh with args and speaks D-Bus over its standard input and
// output. The bridge on the other side connects as the ssh user, so the
// EXTERNAL identity sent here is empty: the bus takes the bridge's.
func dialSSH(args []string) (*dbus.Conn, error) {
	cmd := exec.Command(sshProgram(), args...)
	cmd.Stderr = os.Stderr // ssh's own messages, labelled by the parent
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot run %s: %v (install an ssh client, or set $SVUNIT_SSH)", sshProgram(), err)
	}
	p := &sshPipe{Reader: bufio.NewReader(out), in: in, cmd: cmd}
	conn, err := dbus.NewConn(p)
	if err == nil {
		if err = conn.Auth([]dbus.Auth{dbus.AuthExternal("")}); err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		if conn != nil {
			conn.Close() // closes p too
		}
		p.Close()
		switch code := cmd.ProcessState.ExitCode(); {
		case code == 255:
			return nil, errors.New("ssh failed (see its message above)")
		case code > 0:
			return nil, fmt.Errorf("the remote 'svunit bus-bridge' exited with status %d (see its message above)", code)
		}
		return nil, err
	}
	return conn, nil
}

// sshProgram is the ssh client to run: $SVUNIT_SSH, else ssh from PATH.
func sshProgram() string { return pick(os.Getenv("SVUNIT_SSH"), "ssh") }

// sshPipe is an ssh process seen as one D-Bus transport.
type sshPipe struct {
	*bufio.Reader
	in   io.WriteCloser
	cmd  *exec.Cmd
	once sync.Once
}

func (p *sshPipe) Write(b []byte) (int, error) { return p.in.Write(b) }

// Close ends the session: closing ssh's input ends the remote bridge, and
// so ssh; one that lingers is killed after two seconds.
func (p *sshPipe) Close() error {
	p.once.Do(func() {
		p.in.Close()
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	})
	return nil
}

// maxParallelHosts bounds the hosts -H works on at once, as pdsh's fanout
// does: each costs an ssh process and a child of this program.
const maxParallelHosts = 32

// runRemote runs argv (the whole command line, -H included) once per host,
// up to maxParallelHosts at a time, each as a child of this binary with
// --via-ssh HOST. It returns the exit status: 0 when every host succeeded,
// the hosts' status when they all failed alike, else 1.
func runRemote(g *globals, argv, rest []string) int {
	if localVerbs[rest[0]] {
		fmt.Fprintf(os.Stderr, "svunit: -H runs verbs that talk to a manager; %q works on this machine's files\n", rest[0])
		return exitUsage
	}
	hosts, err := parseHosts(g.hosts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "svunit: %v\n", err)
		return exitUsage
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "svunit: -H: cannot find this program to run it per host: %v\n", err)
		return exitFailure
	}
	results := make([]hostResult, len(hosts))
	children, stop := forwardSignals()
	defer stop()
	var wg sync.WaitGroup
	out := &labelledOutput{}
	slots := make(chan struct{}, maxParallelHosts)
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i] = runHost(self, h, argv, out, g.json(), children)
		}()
	}
	wg.Wait()
	if g.json() {
		printJSON(results)
	}
	return combinedStatus(results)
}

// A hostResult is one host's outcome, as -o json prints it.
type hostResult struct {
	Host   string          `json:"host"`
	Status int             `json:"status"`
	Output json.RawMessage `json:"output,omitempty"` // the verb's JSON output
	Error  string          `json:"error,omitempty"`  // what it printed on stderr
}

// runHost runs the child for h, streaming its lines labelled with h's spec
// (or, for JSON, keeping its output for the final document).
func runHost(self string, h sshHost, argv []string, out *labelledOutput, asJSON bool, children *hostChildren) hostResult {
	cmd := exec.Command(self, append([]string{"--via-ssh", h.spec}, argv...)...)
	var stdout, stderr bytes.Buffer
	if asJSON {
		cmd.Stdout = &stdout
	} else {
		cmd.Stdout = out.writer(os.Stdout, h.spec)
	}
	errW := out.writer(os.Stderr, h.spec)
	cmd.Stderr = io.MultiWriter(errW, &stderr)
	err := cmd.Start()
	if err == nil {
		children.add(cmd.Process)
		err = cmd.Wait()
		children.remove(cmd.Process)
	}
	out.flush(cmd.Stdout, errW)
	r := hostResult{Host: h.spec, Error: strings.TrimSpace(stderr.String())}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Status = max(ee.ExitCode(), exitFailure) // -1 when a signal killed it
	default: // it did not even start
		r.Status, r.Error = exitFailure, err.Error()
		out.writer(os.Stderr, h.spec).Write([]byte("svunit: " + err.Error() + "\n"))
	}
	if json.Valid(stdout.Bytes()) && stdout.Len() > 0 {
		r.Output = bytes.TrimSpace(stdout.Bytes())
	}
	return r
}

// combinedStatus is 0 when every host succeeded; when some failed, their
// common status, or 1 when they failed differently.
func combinedStatus(rs []hostResult) int {
	status := 0
	for _, r := range rs {
		switch {
		case r.Status == 0:
		case status == 0:
			status = r.Status
		case status != r.Status:
			return exitFailure
		}
	}
	return status
}

// labelledOutput prints the children's lines, each prefixed with its host,
// one whole line at a time so that hosts never mix within a line.
type labelledOutput struct{ mu sync.Mutex }

// A labelWriter labels one child's stream. buf is only touched by the
// goroutine exec.Cmd copies that stream with, then by flush after Run.
type labelWriter struct {
	o     *labelledOutput
	dst   io.Writer
	label string
	buf   []byte // the start of a line whose end has not come yet
}

func (o *labelledOutput) writer(dst io.Writer, label string) *labelWriter {
	return &labelWriter{o: o, dst: dst, label: label}
}

func (w *labelWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		w.emit(w.buf[:i+1])
		w.buf = w.buf[i+1:]
	}
}

func (w *labelWriter) emit(line []byte) {
	w.o.mu.Lock()
	defer w.o.mu.Unlock()
	fmt.Fprintf(w.dst, "%s: %s", w.label, line)
}

// flush prints what the writers hold of an unfinished last line.
func (o *labelledOutput) flush(ws ...io.Writer) {
	for _, x := range ws {
		if w, ok := x.(*labelWriter); ok && len(w.buf) > 0 {
			w.emit(append(w.buf, '\n'))
			w.buf = nil
		}
	}
}
