//go:build linux

package manager

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// TestCrashLoopLeavesNothing: after 1000 crash-restart cycles (more if it
// takes more to overflow a subscriber) no zombie is left, no fd leaked, a
// subscriber that never reads was dropped and told, and one that reads saw
// the cycles in order.
func TestCrashLoopLeavesNothing(t *testing.T) {
	m := newManager(t, cmdUnit("crash", []string{"/bin/false"}, func(s *units.Service) {
		s.Restart, s.RestartSec, s.RestartSteps = units.RestartAlways, 0, 0
	}))
	fdsBefore := openFDs(t)
	deaf := m.Subscribe()
	listener := m.Subscribe()
	const cycles = 1000
	jobs, err := m.Start("crash")
	waitJobs(t, jobs, err)

	last, seen := uint32(0), 0
	for last < cycles || deaf.Err() == nil {
		e := next(t, listener)
		if e.Type != UnitChanged {
			continue
		}
		if e.New.NRestarts < last {
			t.Fatalf("NRestarts went back from %d to %d", last, e.New.NRestarts)
		}
		last = e.New.NRestarts
		seen++
	}
	listener.Close()
	waitFor(t)(m.Stop("crash"))

	if _, open := <-drain(deaf.C); open || !errors.Is(deaf.Err(), ErrSlowSubscriber) {
		t.Errorf("the subscriber that never read was not dropped: err %v", deaf.Err())
	}
	if z := zombies(); len(z) > 0 {
		t.Errorf("zombies left: %v", z)
	}
	if after := openFDs(t); after > fdsBefore+2 {
		t.Errorf("fds: %d before, %d after %d cycles", fdsBefore, after, cycles)
	}
	if r := getReaper().orphans.Load(); r > 0 {
		t.Logf("%d unregistered exits reaped", r)
	}
}

// drain reads c until it is closed or empty and reports the last receive.
func drain(c <-chan Event) <-chan Event {
	out := make(chan Event, 1)
	for {
		select {
		case e, ok := <-c:
			if !ok {
				close(out)
				return out
			}
			_ = e
		default:
			out <- Event{}
			return out
		}
	}
}

func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// zombies lists this process's children that exited and were not reaped,
// waiting briefly for the reaper to catch up with the last exits.
func zombies() []int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var z []int
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, task := range tasks {
			b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
			for _, f := range strings.Fields(string(b)) {
				pid, _ := strconv.Atoi(f)
				if st, ok := readStat(pid); ok && st.state == 'Z' {
					z = append(z, pid)
				}
			}
		}
		if len(z) == 0 || time.Now().After(deadline) {
			return z
		}
		waitABit()
	}
}
