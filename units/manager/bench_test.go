//go:build linux

package manager

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"svunit.dev/svunit/units"
)

// The benchmarks report each figure as a ratio to a floor measured in the
// same run: plain fork/exec (and kill/wait) of the same children from Go,
// with the same attributes, one after the other. Run them with
// units/manager/bench.sh, or:
//
//	go test -run '^$' -bench . -benchtime 1x ./units/manager/

const benchUnits = 1000

var sleepArgv = []string{"/bin/sleep", "3600"}

func sleepers(n int, mods ...func(*units.Service)) []*units.Unit {
	us := make([]*units.Unit, n)
	for i := range us {
		us[i] = cmdUnit(fmt.Sprintf("s%04d", i), sleepArgv, mods...)
	}
	return us
}

// floorSpawn forks and execs n sleepers the way the manager does (new
// process group, /dev/null for stdio) and returns their pids.
func floorSpawn(b *testing.B, n int) []int {
	pids := make([]int, n)
	attr := &syscall.ProcAttr{
		Env:   []string{"PATH=" + defaultPath},
		Files: []uintptr{devNull.Fd(), devNull.Fd(), devNull.Fd()},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	}
	for i := range pids {
		pid, err := getReaper().spawn(nopSink{}, func() (int, error) { return syscall.ForkExec(sleepArgv[0], sleepArgv, attr) })
		if err != nil {
			b.Fatal(err)
		}
		pids[i] = pid
	}
	return pids
}

// floorStartTime returns how long fork/exec of benchUnits sleepers takes
// (then kills them): the floor for starting.
func floorStartTime(b *testing.B) time.Duration {
	t0 := time.Now()
	pids := floorSpawn(b, benchUnits)
	d := time.Since(t0)
	floorKill(pids)
	return d
}

// floorKill kills and reaps pids, as the floor for stopping.
func floorKill(pids []int) {
	exits := make(chan int, len(pids))
	for _, pid := range pids {
		getReaper().adopt(pid, chanSink(exits))
		syscall.Kill(pid, syscall.SIGTERM)
	}
	for range pids {
		<-exits
	}
}

type nopSink struct{}

func (nopSink) exited(int, syscall.WaitStatus) {}

type chanSink chan int

func (c chanSink) exited(pid int, _ syscall.WaitStatus) { c <- pid }

// BenchmarkStart1000 starts 1000 units (StartSecs=0) to RUNNING and stops
// them, against fork/exec and kill/reap of 1000 sleepers; with a cgroup
// per unit where the system allows it, and with the process group and
// /proc.
func BenchmarkStart1000(b *testing.B) {
	b.Run("cgroups", func(b *testing.B) { benchStart(b, Config{}) })
	b.Run("proc", func(b *testing.B) { benchStart(b, Config{NoCgroups: true}) })
}

func benchStart(b *testing.B, cfg Config) {
	var floorStart, floorStop, mgrStart, mgrStop time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		pids := floorSpawn(b, benchUnits)
		floorStart += time.Since(t0)
		t0 = time.Now()
		floorKill(pids)
		floorStop += time.Since(t0)

		cfg.Units = sleepers(benchUnits)
		m, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		waitFor(b)(m.Start("all"))
		mgrStart += time.Since(t0)
		t0 = time.Now()
		waitFor(b)(m.Stop("all"))
		mgrStop += time.Since(t0)
		m.Shutdown(context.Background())
	}
	n := float64(b.N)
	b.ReportMetric(mgrStart.Seconds()/n, "start-s")
	b.ReportMetric(floorStart.Seconds()/n, "floor-start-s")
	b.ReportMetric(float64(mgrStart)/float64(floorStart), "start-x-floor")
	b.ReportMetric(mgrStop.Seconds()/n, "stop-s")
	b.ReportMetric(floorStop.Seconds()/n, "floor-stop-s")
	b.ReportMetric(float64(mgrStop)/float64(floorStop), "stop-x-floor")
}

// BenchmarkRespawn kills a RUNNING unit (Restart=always, RestartSec=0)
// and measures until the new process is RUNNING; the floor is one
// kill, reap and fork/exec of the same program.
func BenchmarkRespawn(b *testing.B) {
	m, err := New(Config{Units: sleepers(1, func(s *units.Service) {
		s.Restart, s.RestartSec, s.RestartSteps = units.RestartAlways, 0, 0
	})})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	waitFor(b)(m.Start("all"))
	sub := m.Subscribe()
	defer sub.Close()
	const samples = 500
	var lat, floor []time.Duration
	floorPid := floorSpawn(b, 1)
	for i := 0; i < b.N; i++ {
		for j := 0; j < samples; j++ {
			lat = append(lat, respawnOnce(m, sub))
			t0 := time.Now()
			floorKill(floorPid)
			floorPid = floorSpawn(b, 1)
			floor = append(floor, time.Since(t0))
		}
	}
	floorKill(floorPid)
	slices.Sort(lat)
	slices.Sort(floor)
	p := func(d []time.Duration, q float64) time.Duration { return d[int(float64(len(d)-1)*q)] }
	b.ReportMetric(float64(p(lat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(lat, 0.9).Microseconds())/1000, "p90-ms")
	b.ReportMetric(float64(p(lat, 0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(p(floor, 0.99).Microseconds())/1000, "floor-p99-ms")
	b.ReportMetric(float64(p(lat, 0.99))/float64(p(floor, 0.99)), "p99-x-floor")
}

// respawnOnce SIGKILLs the unit's process and returns how long it took
// until a new one was RUNNING.
func respawnOnce(m *Manager, sub *Subscription) time.Duration {
	snap, _ := m.Unit("s0000")
	t0 := time.Now()
	syscall.Kill(snap.MainPID, syscall.SIGKILL)
	for e := range sub.C {
		if e.Type == UnitChanged && e.New.State == Running && e.New.MainPID != snap.MainPID {
			break
		}
	}
	return time.Since(t0)
}

var bootLogDir = flag.String("boot-log-dir", "", "where BenchmarkBoot1000 makes its log directories (default: $TMPDIR)")

// BenchmarkBoot1000 is the daemon's boot: New with a fresh log directory
// (a stdout and a stderr file per unit, as by default) and Boot, until
// 1000 units (StartSecs=0) run, against fork/exec of 1000 sleepers. The
// log files' creation is most of the difference where creating a file
// costs as much as a fork (ext4 on this VM; compare -boot-log-dir
// /dev/shm).
func BenchmarkBoot1000(b *testing.B) {
	var floor, boot time.Duration
	for i := 0; i < b.N; i++ {
		floor += floorStartTime(b)
		us := sleepers(benchUnits)
		for _, u := range us {
			u.Install.WantedBy = []string{"default.target"}
		}
		t0 := time.Now()
		dir, err := os.MkdirTemp(*bootLogDir, "boot")
		if err != nil {
			b.Fatal(err)
		}
		m, err := New(Config{Units: us, LogDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b)(m.Boot(), nil)
		boot += time.Since(t0)
		m.Shutdown(context.Background())
		os.RemoveAll(dir)
	}
	b.ReportMetric(boot.Seconds()/float64(b.N), "boot-s")
	b.ReportMetric(floor.Seconds()/float64(b.N), "floor-s")
	b.ReportMetric(float64(boot)/float64(floor), "boot-x-floor")
}
