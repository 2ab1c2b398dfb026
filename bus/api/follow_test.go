package api

import (
	"bufio"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestTailAndFollowLog reads a unit's output through the daemon: the last
// lines, and a stream on a passed file descriptor.
func TestTailAndFollowLog(t *testing.T) {
	h := newHarness(t, map[string]string{"talk.unit": helperUnit("print", "")})
	c := h.rawConn()
	mgr := c.Object(SvunitName, ManagerPath)
	if err := mgr.Call(ifaceSvunitManager+".StartUnits", 0, []string{"talk"}).Err; err != nil {
		t.Fatal(err)
	}
	h.waitActive("talk.unit", "active")

	var fd dbus.UnixFD
	if err := mgr.Call(ifaceSvunitManager+".FollowLog", 0, "talk", "stdout", uint32(10)).Store(&fd); err != nil {
		t.Fatal(err)
	}
	syscall.SetNonblock(int(fd), true) // so that Close stops the reading goroutine
	f := os.NewFile(uintptr(fd), "follow")
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var got []string
	deadline := time.After(15 * time.Second)
	for len(got) < 3 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stream ended after %q", got)
			}
			got = append(got, l)
		case <-deadline:
			t.Fatalf("stream gave %q", got)
		}
	}
	if strings.Join(got, ",") != "line 1,line 2,line 3" {
		t.Errorf("followed %q", got)
	}
	// Closing the stream ends the daemon's follower at once, though the
	// unit writes nothing more.
	f.Close()
	deadline2 := time.Now().Add(10 * time.Second)
	for followers.Load() != 0 {
		if time.Now().After(deadline2) {
			t.Fatalf("%d log followers still run after their reader left", followers.Load())
		}
		time.Sleep(time.Millisecond)
	}
	var tail []string
	if err := mgr.Call(ifaceSvunitManager+".TailLog", 0, "talk", "stdout", uint32(2)).Store(&tail); err != nil || strings.Join(tail, ",") != "line 2,line 3" {
		t.Errorf("TailLog = %q, %v", tail, err)
	}
	if err := mgr.Call(ifaceSvunitManager+".TailLog", 0, "talk", "stdin", uint32(2)).Err; errName(err) != ErrInvalidArgs {
		t.Errorf("TailLog of stdin: %v", err)
	}
}
