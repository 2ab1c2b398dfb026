package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// TestManagerMethods calls the methods the client tests do not reach, on a
// real manager, and checks their replies against the manager's state.
func TestManagerMethods(t *testing.T) {
	h := newHarness(t, map[string]string{
		"web.unit":     helperUnit("sleep", "Unit: Groups=front\nInstall: WantedBy=default.target"),
		"worker@.unit": helperUnit("sleep", "Unit: Groups=back\nService: Instances=2"),
	})
	c := h.rawConn()
	mgr := c.Object(SystemdName, ManagerPath)
	call := func(method string, out any, args ...any) {
		t.Helper()
		if err := mgr.Call(method, 0, args...).Store(out); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	var groups []group
	call(ifaceSvunitManager+".ListGroups", &groups)
	if len(groups) != 2 || groups[0].Name != "back" || !slices.Equal(groups[0].Members, []string{"worker@1.unit", "worker@2.unit"}) {
		t.Errorf("ListGroups = %+v", groups)
	}
	var names []string
	call(ifaceSvunitManager+".ResolveUnits", &names, []string{"worker@*", "web"})
	if !slices.Equal(names, []string{"web.unit", "worker@1.unit", "worker@2.unit"}) {
		t.Errorf("ResolveUnits = %q", names)
	}
	var jobs []jobInfo
	call(ifaceSvunitManager+".StartUnits", &jobs, []string{"all"})
	if len(jobs) != 3 {
		t.Fatalf("StartUnits all queued %+v", jobs)
	}
	for _, n := range names {
		h.waitActive(n, "active")
	}
	s, _ := h.m.Unit("worker@2.unit")
	var path dbus.ObjectPath
	call(ifaceManager+".GetUnitByPID", &path, uint32(s.MainPID))
	if path != UnitPath("worker@2.unit") {
		t.Errorf("GetUnitByPID(%d) = %s", s.MainPID, path)
	}
	call(ifaceManager+".LoadUnit", &path, "nosuch.service")
	var load dbus.Variant
	if err := c.Object(SystemdName, path).Call(ifaceProperties+".Get", 0, ifaceUnit, "LoadState").Store(&load); err != nil || load.Value() != "not-found" {
		t.Errorf("LoadUnit(nosuch) object LoadState = %v, %v", load, err)
	}
	var entries []unitEntry
	call(ifaceManager+".ListUnitsByNames", &entries, []string{"web.service", "nosuch"})
	if len(entries) != 2 || entries[0].Name != "web.unit" || entries[0].ActiveState != "active" || entries[1].LoadState != "not-found" {
		t.Errorf("ListUnitsByNames = %+v", entries)
	}
	call(ifaceManager+".ListUnitsFiltered", &entries, []string{"active"})
	if len(entries) != 3 {
		t.Errorf("ListUnitsFiltered(active) = %d units", len(entries))
	}
	var state string
	call(ifaceManager+".GetUnitFileState", &state, "web.unit")
	if state != "enabled" {
		t.Errorf("GetUnitFileState(web) = %q", state)
	}
	var files []strPair
	call(ifaceManager+".ListUnitFiles", &files)
	if len(files) != 2 {
		t.Errorf("ListUnitFiles = %+v (a template is one file)", files)
	}
	var props []unitProperties
	call(ifaceSvunitManager+".GetUnitsProperties", &props, []string{"@back"}, []string{"MainPID", "SupervisorState"})
	if len(props) != 2 || len(props[1].Props) != 2 || props[1].Props["MainPID"].Value() != uint32(s.MainPID) || props[1].Props["SupervisorState"].Value() != "RUNNING" {
		t.Errorf("GetUnitsProperties(@back) = %+v", props)
	}
	call(ifaceSvunitManager+".KillUnits", &names, []string{"@back"}, "main", int32(9))
	for _, n := range names {
		h.waitFor(n+" killed", func() bool { s, _ := h.m.Unit(n); return s.LastExit.Signal == 9 })
	}
	if err := c.Object(SystemdName, UnitPath("web.unit")).Call(ifaceUnit+".Stop", 0, "replace").Store(&path); err != nil || !strings.HasPrefix(string(path), jobPrefix) {
		t.Errorf("Unit.Stop = %s, %v", path, err)
	}
	h.waitActive("web.unit", "inactive")
}

// TestJobObjects looks at a job while it is pending: a stop whose
// KillSignal (SIGCONT) does not end the process, so it waits for
// TimeoutStopSec and SIGKILL.
func TestJobObjects(t *testing.T) {
	h := newHarness(t, map[string]string{"stubborn.unit": helperUnit("sleep", "Service: TimeoutStopSec=3s\nService: KillSignal=SIGCONT")})
	c := h.rawConn()
	mgr := c.Object(SystemdName, ManagerPath)
	if err := mgr.Call(ifaceManager+".StartUnit", 0, "stubborn", "replace").Err; err != nil {
		t.Fatal(err)
	}
	h.waitActive("stubborn.unit", "active")
	// The manager's snapshot turns active before the API's pump has seen
	// the start job's removal; wait for the bus to agree.
	h.waitFor("the start job to be removed", func() bool {
		var list []jobEntry
		return mgr.Call(ifaceManager+".ListJobs", 0).Store(&list) == nil && len(list) == 0
	})
	var job dbus.ObjectPath
	if err := mgr.Call(ifaceManager+".StopUnit", 0, "stubborn", "replace").Store(&job); err != nil {
		t.Fatal(err)
	}
	var list []jobEntry
	if err := mgr.Call(ifaceManager+".ListJobs", 0).Store(&list); err != nil || len(list) != 1 || list[0].JobPath != job || list[0].Type != "stop" {
		t.Errorf("ListJobs = %+v, %v", list, err)
	}
	var props map[string]dbus.Variant
	if err := c.Object(SystemdName, job).Call(ifaceProperties+".GetAll", 0, ifaceJob).Store(&props); err != nil {
		t.Fatalf("job GetAll: %v", err)
	}
	if props["JobType"].Value() != "stop" || props["Unit"].Value().([]any)[0] != "stubborn.unit" {
		t.Errorf("job properties %v", props)
	}
	var jobProp dbus.Variant
	if err := c.Object(SystemdName, UnitPath("stubborn.unit")).Call(ifaceProperties+".Get", 0, ifaceUnit, "Job").Store(&jobProp); err != nil || jobProp.Value().([]any)[1] != job {
		t.Errorf("unit's Job property = %v, %v; want %s", jobProp, err, job)
	}
	if err := c.Object(SystemdName, job).Call(ifaceJob+".Cancel", 0).Err; errName(err) != ErrNotSupported {
		t.Errorf("Cancel: %v", err)
	}
	h.waitActive("stubborn.unit", "failed") // SIGKILL after TimeoutStopSec: Result=timeout
	if err := mgr.Call(ifaceManager+".GetJob", 0, uint32(0)).Err; errName(err) != ErrNoSuchJob {
		t.Errorf("GetJob(0): %v", err)
	}
}
