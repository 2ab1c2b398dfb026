package bus

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// The benchmarks run svunit's bus next to a real dbus-daemon --session
// started in the same run, with the same clients, and report svunit's
// figures as ratios to the daemon's.

// A busUnderTest is a bus process: svunit's (the test binary re-executed)
// or dbus-daemon.
type busUnderTest struct {
	name string
	path string
	cmd  *exec.Cmd
}

func (b *busUnderTest) addr() string { return "unix:path=" + b.path }

// startBuses starts both buses in their own processes and stops them when
// the benchmark ends.
func startBuses(tb testing.TB) []*busUnderTest {
	tb.Helper()
	dir := tb.TempDir()
	daemon := lookClient(tb, "dbus-daemon")
	buses := []*busUnderTest{
		{name: "svunit", path: filepath.Join(dir, "svunit")},
		{name: "dbus-daemon", path: filepath.Join(dir, "daemon")},
	}
	buses[0].cmd = busProcess(buses[0].path)
	buses[1].cmd = exec.Command(daemon, "--session", "--nofork", "--nopidfile", "--address=unix:path="+buses[1].path)
	// dbus-daemon's stderr stays unread: its complaint about its fd limit is noise.
	for _, b := range buses {
		if err := b.cmd.Start(); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { b.cmd.Process.Kill(); b.cmd.Wait() })
		waitFor(tb, b.name+" to listen", func() bool {
			c, err := dbus.Connect(b.addr())
			if err == nil {
				c.Close()
			}
			return err == nil
		})
	}
	return buses
}

// BenchmarkRoundTrip measures a method call between two godbus clients
// through each bus.
func BenchmarkRoundTrip(b *testing.B) {
	buses := startBuses(b)
	var callers []dbus.BusObject
	for _, bus := range buses {
		svc, err := dbus.Connect(bus.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer svc.Close()
		svc.Export(&echoService{conn: svc}, svcPath, svcIface)
		cl, err := dbus.Connect(bus.addr())
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		callers = append(callers, cl.Object(svc.Names()[0], svcPath))
	}
	elapsed := make([]time.Duration, len(buses))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, obj := range callers {
			start := time.Now()
			if err := obj.Call(svcIface+".Echo", 0, "ping").Err; err != nil {
				b.Fatal(err)
			}
			elapsed[j] += time.Since(start)
		}
	}
	b.ReportMetric(float64(elapsed[0].Nanoseconds())/float64(b.N), "svunit-ns/call")
	b.ReportMetric(float64(elapsed[1].Nanoseconds())/float64(b.N), "daemon-ns/call")
	b.ReportMetric(float64(elapsed[0])/float64(elapsed[1]), "svunit/daemon-latency")
}

// BenchmarkSignalThroughput measures signals routed per second from one
// raw sender to one subscribed raw receiver, so the clients cost almost
// nothing and the bus is what is measured.
func BenchmarkSignalThroughput(b *testing.B) {
	buses := startBuses(b)
	const batch = 1000
	rates := make([]float64, len(buses))
	for j, bus := range buses {
		recv := rawDialPath(b, bus.path).auth().hello()
		recv.write(recv.call(busName, busPath, busName, "AddMatch", "s", strBody("type='signal',interface='org.example.Bench'")))
		recv.read()
		send := rawDialPath(b, bus.path).auth().hello()
		sig := send.msg(header{typ: typeSignal, path: "/bench", iface: "org.example.Bench", member: "Tick", sig: "s"}, strBody("payload"))
		frames := bytes.Repeat(sig, batch)
		got := 0
		start := time.Now()
		for sent := 0; sent < b.N; sent += batch {
			send.write(frames)
			got += countMessages(b, recv, batch)
		}
		rates[j] = float64(got) / time.Since(start).Seconds()
	}
	b.ReportMetric(rates[0], "svunit-msgs/s")
	b.ReportMetric(rates[1], "daemon-msgs/s")
	b.ReportMetric(rates[0]/rates[1], "svunit/daemon-throughput")
}

// countMessages reads n messages from rc without decoding them.
func countMessages(tb testing.TB, rc *rawClient, n int) int {
	rc.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	hdr := make([]byte, fixedHeaderLen)
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(rc.r, hdr); err != nil {
			tb.Fatalf("after %d messages: %v", i, err)
		}
		total, err := frameLen(hdr, MaxMessageSize)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := rc.r.Discard(total - fixedHeaderLen); err != nil {
			tb.Fatal(err)
		}
	}
	return n
}

// BenchmarkIdleConnections holds 1000 registered clients on each bus and
// reports the bus process's resident memory per connection.
func BenchmarkIdleConnections(b *testing.B) {
	const n = 1000
	for i := 0; i < b.N; i++ {
		buses := startBuses(b)
		per := make([]float64, len(buses))
		for j, bus := range buses {
			base := rssKiB(b, bus.cmd.Process.Pid)
			var half float64
			for k := 0; k < n; k++ {
				rc := rawDialPath(b, bus.path).auth().hello()
				defer rc.c.Close()
				if k == n/2-1 {
					half = float64(rssKiB(b, bus.cmd.Process.Pid)-base) / float64(n/2)
				}
			}
			per[j] = float64(rssKiB(b, bus.cmd.Process.Pid)-base) / n
			b.Logf("%s: %.1f KiB/connection for the first %d, %.1f for %d", bus.name, half, n/2, per[j], n)
		}
		b.ReportMetric(per[0], "svunit-KiB/conn")
		b.ReportMetric(per[1], "daemon-KiB/conn")
		b.ReportMetric(per[0]/per[1], "svunit/daemon-memory")
	}
}

// rssKiB reads a process's resident set size.
func rssKiB(tb testing.TB, pid int) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.Fields(v)[0])
			return kb
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}

// BenchmarkIdleWakeups holds 100 registered clients on each bus, lets both
// sit idle for a second per iteration, and reports how often each bus
// process's threads were scheduled meanwhile (context switches per second;
// the goal is none).
func BenchmarkIdleWakeups(b *testing.B) {
	buses := startBuses(b)
	for _, bus := range buses {
		for k := 0; k < 100; k++ {
			rc := rawDialPath(b, bus.path).auth().hello()
			b.Cleanup(func() { rc.c.Close() })
		}
	}
	time.Sleep(100 * time.Millisecond) // let the connection burst settle before measuring
	before := []int{ctxSwitches(b, buses[0].cmd.Process.Pid), ctxSwitches(b, buses[1].cmd.Process.Pid)}
	start := time.Now()
	for i := 0; i < b.N; i++ {
		time.Sleep(time.Second) // the measurement window: nothing happens on either bus
	}
	secs := time.Since(start).Seconds()
	svunit := float64(ctxSwitches(b, buses[0].cmd.Process.Pid)-before[0]) / secs
	daemon := float64(ctxSwitches(b, buses[1].cmd.Process.Pid)-before[1]) / secs
	b.ReportMetric(svunit, "svunit-wakeups/s")
	b.ReportMetric(daemon, "daemon-wakeups/s")
}

// ctxSwitches sums the context switches of every thread of a process.
func ctxSwitches(tb testing.TB, pid int) int {
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/status")
	if err != nil {
		tb.Fatal(err)
	}
	total := 0
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "voluntary_ctxt_switches:"); ok {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				total += n
			} else if v, ok := strings.CutPrefix(line, "nonvoluntary_ctxt_switches:"); ok {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				total += n
			}
		}
	}
	return total
}

// BenchmarkRouteInProcess routes signals through an in-process bus between
// two raw clients, to show the bus's own cost per message (-benchmem).
func BenchmarkRouteInProcess(b *testing.B) {
	s := testBus(b, Config{})
	recv := rawDial(b, s).auth().hello()
	recv.write(recv.call(busName, busPath, busName, "AddMatch", "s", strBody("type='signal',interface='org.example.Bench'")))
	recv.read()
	send := rawDial(b, s).auth().hello()
	sig := send.msg(header{typ: typeSignal, path: "/bench", iface: "org.example.Bench", member: "Tick", sig: "s"}, strBody("payload"))
	const batch = 100
	frames := bytes.Repeat(sig, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += batch {
		send.write(frames)
		countMessages(b, recv, batch)
	}
}

// BenchmarkRawRoundTrip measures a method call and its reply between two
// raw clients (no client library), so the figure is the buses' own
// latency: two hops through each bus per call.
func BenchmarkRawRoundTrip(b *testing.B) {
	buses := startBuses(b)
	elapsed := make([]time.Duration, len(buses))
	type pair struct{ caller, callee *rawClient }
	var pairs []pair
	for _, bus := range buses {
		pairs = append(pairs, pair{rawDialPath(b, bus.path).auth().hello(), rawDialPath(b, bus.path).auth().hello()})
	}
	hdr := make([]byte, fixedHeaderLen)
	for i := 0; i < b.N; i++ {
		for j, p := range pairs {
			call := p.caller.call(p.callee.name, "/", "org.example.Bench", "Ping", "", nil)
			start := time.Now()
			p.caller.write(call)
			m := p.callee.read()
			p.callee.write(p.callee.msg(header{typ: typeMethodReply, dest: p.caller.name, replySerial: m.Serial()}, nil))
			if _, err := io.ReadFull(p.caller.r, hdr); err != nil {
				b.Fatal(err)
			}
			n, _ := frameLen(hdr, MaxMessageSize)
			p.caller.r.Discard(n - fixedHeaderLen)
			elapsed[j] += time.Since(start)
		}
	}
	b.ReportMetric(float64(elapsed[0].Nanoseconds())/float64(b.N), "svunit-ns/call")
	b.ReportMetric(float64(elapsed[1].Nanoseconds())/float64(b.N), "daemon-ns/call")
	b.ReportMetric(float64(elapsed[0])/float64(elapsed[1]), "svunit/daemon-latency")
}
