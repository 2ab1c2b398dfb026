//go:build linux

package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func init() {
	children["journald"] = childJournald
}

// journaldResult is what the helper in the private mount namespace reports.
type journaldResult struct {
	DownError   string // Status().Stdout.Error while journald was not running
	DownDropped int64
	UpError     string // Status().Stdout.Error after lines went through
	ChildPID    int
}

// Lines reach a real systemd-journald, started in a private mount namespace,
// with the unit's fields; while journald is down the status says so, and
// capture resumes when it is up.
func TestJournald(t *testing.T) {
	if _, err := os.Stat("/lib/systemd/systemd-journald"); err != nil {
		t.Fatalf("systemd-journald is needed (Debian package systemd, see .ci/deps): %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command("unshare", "-m", "--propagation", "private", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "SVUNIT_JOURNAL_CHILD=journald", "RESULTS="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("journald helper: %v\n%s", err, out)
	}
	var res journaldResult
	b, err := os.ReadFile(filepath.Join(dir, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.DownError == "" || res.DownDropped != int64(len("before journald\n")) {
		t.Errorf("journald down: error %q, %d bytes dropped; want an error and the line counted", res.DownError, res.DownDropped)
	}
	if res.UpError != "" {
		t.Errorf("error still shown after journald came up: %q", res.UpError)
	}
	entries, err := os.ReadFile(filepath.Join(dir, "journal.json"))
	if err != nil {
		t.Fatal(err)
	}
	streams := map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(entries))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		stream, _ := e["SVUNIT_STREAM"].(string)
		wantPrio := map[string]string{"stdout": "6", "stderr": "3"}[stream]
		pid := strconv.Itoa(res.ChildPID)
		if e["PRIORITY"] != wantPrio || e["SYSLOG_IDENTIFIER"] != "webby" || e["SYSLOG_PID"] != pid || e["OBJECT_PID"] != pid || e["SYSLOG_FACILITY"] != "3" {
			t.Fatalf("entry with wrong fields (want PRIORITY=%s, SYSLOG_IDENTIFIER=webby, SYSLOG_PID=OBJECT_PID=%s, SYSLOG_FACILITY=3): %s", wantPrio, pid, sc.Bytes())
		}
		msg, _ := e["MESSAGE"].(string)
		streams[stream] = append(append(streams[stream], msg...), '\n')
	}
	checkLines(t, streams["stdout"], "o", 100, 0, 1000)
	checkLines(t, streams["stderr"], "e", 100, 0, 1000)
}

// childJournald runs in a private mount namespace: it puts tmpfs on
// journald's directories, writes through an Output while journald is down,
// starts journald, runs the line writer, and saves what journalctl reads.
func childJournald() int {
	if err := journaldHelper(os.Getenv("RESULTS")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func journaldHelper(results string) error {
	// /var/log/journal too when it exists, so that a persistent host
	// journal is never written by this journald.
	for _, d := range []string{"/run/systemd", "/run/log", "/var/log/journal"} {
		if _, err := os.Stat(d); err != nil && d == "/var/log/journal" {
			continue
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := syscall.Mount("tmpfs", d, "tmpfs", 0, "size=64m"); err != nil {
			return fmt.Errorf("mount tmpfs on %s: %w", d, err)
		}
	}
	o, err := Open(Config{Unit: "web.unit", Stdout: Target{Kind: Journal}, Stderr: Target{Kind: Journal}, SyslogIdentifier: "webby"})
	if err != nil {
		return err
	}
	defer o.Close()
	var res journaldResult
	out, _ := o.Files()
	out.WriteString("before journald\n")
	if err := waitUntil(func() bool { return o.Status().Stdout.Dropped > 0 }); err != nil {
		return fmt.Errorf("no drop counted while journald is down: %w", err)
	}
	res.DownError, res.DownDropped = o.Status().Stdout.Error, o.Status().Stdout.Dropped

	jd := exec.Command("/lib/systemd/systemd-journald")
	jd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := jd.Start(); err != nil {
		return err
	}
	defer func() { jd.Process.Kill(); jd.Wait() }()
	if err := waitUntil(func() bool { _, err := os.Stat("/run/systemd/journal/socket"); return err == nil }); err != nil {
		return fmt.Errorf("journald socket: %w", err)
	}

	child := childCmd(o, "both", 1000, 100, 4096)
	child.Env = append(child.Env, "WAIT_STDIN=1")
	stdin, err := child.StdinPipe()
	if err != nil {
		return err
	}
	if err := child.Start(); err != nil {
		return err
	}
	res.ChildPID = child.Process.Pid
	o.SetPID(res.ChildPID)
	stdin.Write([]byte{1})
	if err := child.Wait(); err != nil {
		return fmt.Errorf("line writer: %w", err)
	}
	if err := o.Close(); err != nil {
		return err
	}
	res.UpError = o.Status().Stdout.Error
	if out, err := exec.Command("journalctl", "--sync").CombinedOutput(); err != nil {
		return fmt.Errorf("journalctl --sync: %v: %s", err, out)
	}
	entries, err := exec.Command("journalctl", "-D", "/run/log/journal", "-o", "json", "--no-pager", "SVUNIT_UNIT=web.unit").Output()
	if err != nil {
		return fmt.Errorf("journalctl: %w", err)
	}
	if err := os.WriteFile(filepath.Join(results, "journal.json"), entries, 0o644); err != nil {
		return err
	}
	b, _ := json.Marshal(res)
	return os.WriteFile(filepath.Join(results, "status.json"), b, 0o644)
}

// waitUntil polls cond for up to 10 seconds.
func waitUntil(cond func() bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(2 * time.Millisecond)
	}
	return nil
}
