package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units/manager"
)

// TestPumpKeepsUpWithMassJobs stops and starts every unit over and over
// while the pump cannot send a signal (the test holds the lock every send
// takes), until the manager has published more events than its
// subscription buffer holds. The API's subscription must not be dropped:
// a client then gets JobRemoved for every job, where a dropped
// subscription loses the signals of the events it missed (the daemon's
// "subscriber fell behind" on SIGTERM with 1000 units).
func TestPumpKeepsUpWithMassJobs(t *testing.T) {
	const n = 100
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("s%03d.unit", i)] = "[Service]\nExecStart=/bin/sleep infinity\nStartSecs=0\n"
	}
	h := newHarness(t, files)
	client, err := dbus.Connect(h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.AddMatchSignal(dbus.WithMatchInterface(ifaceManager), dbus.WithMatchMember("JobRemoved")); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 1024)
	client.Signal(signals)

	events := h.m.Subscribe() // counts what the manager publishes
	defer events.Close()
	published := make(chan int, 1)
	published <- 0
	go func() {
		for range events.C {
			published <- <-published + 1
		}
	}()
	count := func() int { k := <-published; published <- k; return k }

	want := map[uint32]bool{}
	run := func(f func(...string) ([]*manager.Job, error)) {
		jobs, err := f("all")
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			want[j.ID] = true
			if r, reason := j.Wait(); r != manager.JobDone {
				t.Fatalf("job %d on %s: %s (%s)", j.ID, j.Unit, r, reason)
			}
		}
	}
	run(h.m.Start)
	h.api.mu.Lock() // every signal the pump sends waits for this
	held := count()
	for count()-held < manager.SubscriptionBuffer+n {
		run(h.m.Stop)
		run(h.m.Start)
	}
	h.api.mu.Unlock()
	t.Logf("%d jobs; %d events published while the pump was held", len(want), count()-held)

	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for len(want) > 0 {
		select {
		case s := <-signals:
			if id, ok := s.Body[0].(uint32); ok {
				delete(want, id)
			}
		case <-deadline.C:
			t.Fatalf("no JobRemoved for %d jobs: the API's subscription to the manager was dropped", len(want))
		}
	}
}
