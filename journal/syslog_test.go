//go:build linux

package journal

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// rsyslog is a real rsyslogd listening on a private socket and writing
// "PRI TAG MSG" lines to a file.
type rsyslog struct {
	dir, sock, out string
	cmd            *exec.Cmd
}

// imuxsock is rsyslog's input for the local datagram socket; params are
// extra input parameters.
func imuxsock(params string) string {
	return `module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q CreatePath="on" RateLimit.Interval="0" ` + params + `)`
}

func startRsyslog(t *testing.T, dir string) *rsyslog {
	return startRsyslogWith(t, dir, imuxsock(`UseSpecialParser="on"`), "%pri% %syslogtag%%msg%")
}

// startRsyslogWith starts rsyslogd with input (rsyslog configuration with
// one %q for the socket's path) and the template of its output lines.
func startRsyslogWith(t *testing.T, dir, input, template string) *rsyslog {
	t.Helper()
	r := &rsyslog{dir: dir, sock: filepath.Join(dir, "log.sock"), out: filepath.Join(dir, "out.log")}
	conf := fmt.Sprintf("global(workDirectory=%q)\n", dir) + fmt.Sprintf(input, r.sock) +
		fmt.Sprintf("\ntemplate(name=\"t\" type=\"string\" string=%q)\n*.* action(type=\"omfile\" file=%q template=\"t\")\n", template+"\n", r.out)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(r.sock)
	r.cmd = exec.Command("rsyslogd", "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if out, err := os.Create(filepath.Join(dir, "rsyslogd.stderr")); err == nil {
		r.cmd.Stdout, r.cmd.Stderr = out, out
		defer out.Close()
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("rsyslogd (Debian package rsyslog, see .ci/deps): %v", err)
	}
	t.Cleanup(r.stop)
	waitFor(t, "rsyslogd's socket", func() bool { _, err := os.Stat(r.sock); return err == nil })
	return r
}

func (r *rsyslog) stop() {
	if r.cmd.ProcessState == nil {
		r.cmd.Process.Signal(syscall.SIGTERM)
		r.cmd.Wait()
	}
}

// lines returns the messages rsyslog wrote with priority pri, as "TAG MSG".
func (r *rsyslog) lines(pri int) []string {
	b, _ := os.ReadFile(r.out)
	var got []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	prefix := fmt.Sprintf("%d ", pri)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			got = append(got, rest)
		}
	}
	return got
}

// Lines reach a real rsyslogd with the configured facility, levels and
// identifier; when the daemon restarts, the sink reports the failure, counts
// what it dropped and reconnects.
func TestSyslog(t *testing.T) {
	dir := t.TempDir()
	r := startRsyslog(t, dir)
	o := mustOpen(t, Config{
		Unit: "web.unit", Stdout: Target{Kind: Syslog}, Stderr: Target{Kind: Syslog},
		SyslogSocket: r.sock, SyslogIdentifier: "webby", SyslogFacility: "local3",
		SyslogLevel: "notice", SyslogErrorLevel: "warning",
	})
	const local3 = 19
	outPri, errPri := local3*8+5, local3*8+4

	child := childCmd(o, "both", 1000, 100, 4096)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	pid := child.Process.Pid
	o.SetPID(pid) // may come after the first lines: they have no pid
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "2000 lines in rsyslog's file", func() bool { return len(r.lines(outPri))+len(r.lines(errPri)) >= 2000 })
	for _, s := range []struct {
		tag string
		pri int
	}{{"o", outPri}, {"e", errPri}} {
		var data []byte
		for _, l := range r.lines(s.pri) {
			msg, ok := strings.CutPrefix(l, fmt.Sprintf("webby[%d]: ", pid))
			if !ok {
				msg, ok = strings.CutPrefix(l, "webby: ")
			}
			if !ok {
				t.Fatalf("priority %d: %q: want tag webby[%d]", s.pri, l, pid)
			}
			data = append(append(data, msg...), '\n')
		}
		checkLines(t, data, s.tag, 100, 0, 1000)
	}

	// The daemon goes away: the loss is counted and shown.
	r.stop()
	out, _ := o.Files()
	out.WriteString("lost\n")
	waitFor(t, "the drop to be counted", func() bool { return o.Status().Stdout.Dropped == 5 })
	if st := o.Status().Stdout; !strings.Contains(st.Error, r.sock) {
		t.Errorf("status error %q does not name the socket", st.Error)
	}
	// It comes back: capture resumes and the error clears.
	r = startRsyslog(t, dir)
	out.WriteString("back\n")
	waitFor(t, "the line after the restart", func() bool { return len(r.lines(outPri)) == 1001 })
	if st := o.Status().Stdout; st.Error != "" || st.LastError == "" || st.Dropped != 5 {
		t.Errorf("status after recovery: %+v", st)
	}
}

// With SyslogFormat=rfc5424, rsyslog's regular parser finds the RFC 5424
// fields: app name, proc id and the message.
func TestSyslogRFC5424(t *testing.T) {
	r := startRsyslogWith(t, t.TempDir(), imuxsock(`UseSpecialParser="off" ParseHostname="on"`), "%pri% %protocol-version% %app-name% %procid% %msg%")
	o := mustOpen(t, Config{Unit: "web.unit", Stdout: Target{Kind: Syslog}, Stderr: Target{Kind: Null}, SyslogSocket: r.sock, SyslogFormat: "rfc5424"})
	o.SetPID(4242)
	out, _ := o.Files()
	out.WriteString("hello 5424\n")
	const daemonInfo = 3*8 + 6
	waitFor(t, "the message", func() bool { return len(r.lines(daemonInfo)) == 1 })
	if got := r.lines(daemonInfo)[0]; got != "1 web 4242 hello 5424" {
		t.Errorf("rsyslog parsed %q, want version 1, app web, procid 4242, the message", got)
	}
}

// A syslog daemon listening on a stream socket (rsyslog's imptcp here) gets
// one message per line, as glibc's syslog(3) falls back to.
func TestSyslogStreamSocket(t *testing.T) {
	r := startRsyslogWith(t, t.TempDir(), "module(load=\"imptcp\")\ninput(type=\"imptcp\" path=%q)", "%pri% %syslogtag%%msg%")
	o := mustOpen(t, Config{Unit: "web.unit", Stdout: Target{Kind: Syslog}, Stderr: Target{Kind: Null}, SyslogSocket: r.sock})
	runChild(t, o, "out", 500, 100, 4096)
	const daemonInfo = 3*8 + 6
	waitFor(t, "500 lines", func() bool { return len(r.lines(daemonInfo)) >= 500 })
	var data []byte
	for _, l := range r.lines(daemonInfo) {
		msg, ok := strings.CutPrefix(l, "web: ")
		if !ok {
			t.Fatalf("line %q: want tag web", l)
		}
		data = append(append(data, msg...), '\n')
	}
	checkLines(t, data, "o", 100, 0, 500)
}
