package api

import (
	"context"
	"testing"
	"time"

	sddbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
)

// sdConn connects go-systemd's client to the harness's bus.
func (h *harness) sdConn() *sddbus.Conn {
	h.t.Helper()
	c, err := sddbus.NewConnection(func() (*dbus.Conn, error) { return dbus.Connect(h.addr) })
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(c.Close)
	return c
}

func TestGoSystemd(t *testing.T) {
	h := newHarness(t, map[string]string{"web.unit": helperUnit("sleep", ""), "crash.unit": helperUnit("crash", "Service: Restart=no")})
	c := h.sdConn()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan string, 1)
	if _, err := c.StartUnitContext(ctx, "web.unit", "replace", done); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r != "done" {
		t.Errorf("start result %q", r)
	}
	props, err := c.GetUnitPropertiesContext(ctx, "web.unit")
	if err != nil {
		t.Fatal(err)
	}
	if props["ActiveState"] != "active" || props["Id"] != "web.unit" {
		t.Errorf("properties: ActiveState=%v Id=%v", props["ActiveState"], props["Id"])
	}
	pid, err := c.GetServicePropertyContext(ctx, "web.unit", "MainPID")
	if s, _ := h.m.Unit("web.unit"); err != nil || pid.Value.Value() != uint32(s.MainPID) {
		t.Errorf("MainPID = %v, %v; manager says %d", pid, err, s.MainPID)
	}
	list, err := c.ListUnitsContext(ctx)
	if err != nil || len(list) != 2 || list[1].Name != "web.unit" || list[1].ActiveState != "active" {
		t.Errorf("ListUnits = %+v, %v", list, err)
	}
	if _, err := c.StartUnitContext(ctx, "crash.unit", "replace", done); err != nil {
		t.Fatal(err)
	}
	<-done
	h.waitActive("crash.unit", "failed")
	p, err := c.GetServicePropertyContext(ctx, "crash.unit", "ExecMainStatus")
	if err != nil || p.Value.Value() != int32(3) {
		t.Errorf("crash.unit ExecMainStatus = %v, %v; want 3", p, err)
	}
	if err := c.ResetFailedUnitContext(ctx, "crash.unit"); err != nil {
		t.Fatal(err)
	}
	h.waitActive("crash.unit", "inactive")
	if _, err := c.StopUnitContext(ctx, "web.unit", "replace", done); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r != "done" {
		t.Errorf("stop result %q", r)
	}
}
