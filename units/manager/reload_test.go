//go:build linux

package manager

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeUnit(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const sleeper = "[Service]\nExecStart=/bin/sleep 3600\nStartSecs=0\n"

// TestReload applies Supervisor's update: only what changed is touched.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	writeUnit(t, dir, "same.unit", sleeper+"[Install]\nWantedBy=default.target\n")
	writeUnit(t, dir, "changed.unit", sleeper+"[Install]\nWantedBy=default.target\n")
	writeUnit(t, dir, "idle.unit", sleeper)
	writeUnit(t, dir, "gone.unit", sleeper+"[Install]\nWantedBy=default.target\n")
	writeUnit(t, dir, "typo.unit", sleeper+"[Install]\nWantedBy=default.target\n")
	m, err := New(Config{UnitDir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	waitJobs(t, m.Boot(), nil)
	pids := map[string]int{}
	for _, s := range m.Units() {
		pids[s.Unit.Name] = s.MainPID
	}
	if pids["idle.unit"] != 0 || pids["same.unit"] == 0 {
		t.Fatalf("after Boot: %v (idle is not enabled, the rest are)", pids)
	}
	sub := m.Subscribe()
	defer sub.Close()

	writeUnit(t, dir, "changed.unit", strings.Replace(sleeper, "3600", "3601", 1)+"[Install]\nWantedBy=default.target\n")
	writeUnit(t, dir, "idle.unit", strings.Replace(sleeper, "3600", "3602", 1))
	os.Remove(filepath.Join(dir, "gone.unit"))
	writeUnit(t, dir, "new.unit", sleeper+"[Install]\nWantedBy=default.target\n")
	writeUnit(t, dir, "typo.unit", sleeper+"Restart=sometimes\n")
	rep, err := m.Reload()
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got []string, want ...string) {
		t.Helper()
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("added", rep.Added, "new.unit")
	check("removed", rep.Removed, "gone.unit")
	check("changed", rep.Changed, "changed.unit", "idle.unit")
	check("unchanged", rep.Unchanged, "same.unit", "typo.unit")
	if rep.Errors == nil || !strings.Contains(rep.Errors.Error(), "typo.unit") {
		t.Errorf("reload errors = %v, want typo.unit's", rep.Errors)
	}
	waitJobs(t, rep.Jobs, nil)

	if s, _ := m.Unit("same"); s.MainPID != pids["same.unit"] {
		t.Errorf("unchanged unit was restarted: pid %d → %d", pids["same.unit"], s.MainPID)
	}
	if s, _ := m.Unit("typo"); s.MainPID != pids["typo.unit"] {
		t.Errorf("a unit whose file became invalid was touched: pid %d → %d", pids["typo.unit"], s.MainPID)
	}
	if s, _ := m.Unit("changed"); s.MainPID == pids["changed.unit"] || s.State != Running || !slices.Contains(s.Unit.Service.ExecStart[0].Argv, "3601") {
		t.Errorf("changed running unit: pid %d (was %d), %s, %v", s.MainPID, pids["changed.unit"], s.State, s.Unit.Service.ExecStart[0].Argv)
	}
	if s, _ := m.Unit("idle"); s.State != Stopped || !slices.Contains(s.Unit.Service.ExecStart[0].Argv, "3602") {
		t.Errorf("changed stopped unit: %s %v; want still stopped with the new definition", s.State, s.Unit.Service.ExecStart[0].Argv)
	}
	if _, ok := m.Unit("gone"); ok {
		t.Error("removed unit still listed")
	}
	waitGone(t, pids["gone.unit"])
	if s := waitState(t, m, "new", Running); s.MainPID == 0 {
		t.Error("added enabled unit did not start")
	}
	var newSeen, removedSeen bool
	for !newSeen || !removedSeen {
		select {
		case e := <-sub.C:
			newSeen = newSeen || e.Type == UnitNew && e.Unit == "new.unit"
			removedSeen = removedSeen || e.Type == UnitRemoved && e.Unit == "gone.unit"
		case <-time.After(10 * time.Second):
			t.Fatalf("events: UnitNew %v, UnitRemoved %v", newSeen, removedSeen)
		}
	}
}

// TestReloadMovesOutput: a reload that changes StandardOutput= restarts the
// running unit into the new file, and the old file is left alone.
func TestReloadMovesOutput(t *testing.T) {
	dir := t.TempDir()
	units, logs := filepath.Join(dir, "units"), filepath.Join(dir, "logs")
	os.Mkdir(units, 0o755)
	one, two := filepath.Join(dir, "one.log"), filepath.Join(dir, "two.log")
	unit := func(out string) string {
		return "[Service]\nExecStart=/bin/sh -c 'echo hello; exec sleep 1000'\nStartSecs=0\nStandardOutput=append:" + out + "\n[Install]\nWantedBy=default.target\n"
	}
	writeUnit(t, units, "talk.unit", unit(one))
	m, err := New(Config{UnitDir: units, LogDir: logs, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	waitJobs(t, m.Boot(), nil)
	waitContent(t, one, "hello\n")
	writeUnit(t, units, "talk.unit", unit(two))
	rep, err := m.Reload()
	if err != nil || len(rep.Changed) != 1 {
		t.Fatalf("reload: %v, %+v", err, rep)
	}
	waitJobs(t, rep.Jobs, nil)
	waitContent(t, two, "hello\n")
	if snap, _ := m.Unit("talk"); snap.Logs.Stdout != two {
		t.Errorf("snapshot's stdout log = %q, want %q", snap.Logs.Stdout, two)
	}
	if got, _ := os.ReadFile(one); strings.TrimSpace(string(got)) != "hello" {
		t.Errorf("old log has %q", got)
	}
}

// TestJobsRaceRemoval: jobs queued while reloads remove and re-add their
// unit all finish, and no process of a removed unit is left running.
func TestJobsRaceRemoval(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "flip.unit")
	writeUnit(t, dir, "flip.unit", sleeper)
	m, err := New(Config{UnitDir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	reloads := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < 20 && err == nil; i++ {
			if i%2 == 0 {
				os.Remove(file)
			} else {
				writeUnit(t, dir, "flip.unit", sleeper)
			}
			_, err = m.Reload()
		}
		reloads <- err
	}()
	var jobs []*Job
	for i := 0; i < 60; i++ {
		request := m.Start
		if i%3 == 2 {
			request = m.Stop
		}
		if js, err := request("flip"); err == nil {
			jobs = append(jobs, js...)
		}
	}
	if err := <-reloads; err != nil {
		t.Fatal(err)
	}
	waitJobs(t, jobs, nil)
	snap, loaded := m.Unit("flip")
	for _, pid := range childrenOf(os.Getpid()) {
		if alive(pid) && (!loaded || pid != snap.MainPID) && strings.Contains(cmdline(pid), "sleep") {
			t.Errorf("pid %d (%s) runs for no loaded unit", pid, cmdline(pid))
		}
	}
}

func childrenOf(pid int) []int {
	var kids []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		for _, f := range strings.Fields(string(b)) {
			k, _ := strconv.Atoi(f)
			kids = append(kids, k)
		}
	}
	return kids
}

func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// TestMessagesAfterRemoval: a request that reaches a unit after its
// goroutine ended (it was looked up just before a reload removed it) is
// answered, never left waiting.
func TestMessagesAfterRemoval(t *testing.T) {
	m := newManager(t, testUnit("gone", "sleep"))
	s := m.service("gone")
	m.remove([]*service{s})
	j := m.jobs.newJob("gone.unit", JobStart, m.jobRemoved)
	s.send(msgStart{j})
	select {
	case <-j.Done:
		if j.Result != JobSkipped {
			t.Errorf("start of a removed unit: %s", j.Result)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a start sent to a removed unit never finished")
	}
	reply := make(chan error, 1)
	s.send(msgKill{who: "all", sig: syscall.SIGTERM, reply: reply})
	select {
	case err := <-reply:
		if !errors.Is(err, errNoProcess) {
			t.Errorf("kill of a removed unit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a kill sent to a removed unit was never answered")
	}
}

// TestReloadMissingDir: a reload while the unit directory cannot be read
// changes nothing, instead of stopping every unit.
func TestReloadMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "units")
	os.Mkdir(dir, 0o755)
	writeUnit(t, dir, "keep.unit", sleeper+"[Install]\nWantedBy=default.target\n")
	m, err := New(Config{UnitDir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	waitJobs(t, m.Boot(), nil)
	pid := waitState(t, m, "keep", Running).MainPID
	os.Rename(dir, dir+".moved")
	if _, err := m.Reload(); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("Reload with the directory gone: %v", err)
	}
	if s, ok := m.Unit("keep"); !ok || s.MainPID != pid || s.State != Running {
		t.Errorf("after the failed reload: %v %+v", ok, s.State)
	}
}
