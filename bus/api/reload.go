package api

// reload re-reads the unit directory through the manager, announcing it
// with Reloading(true) and Reloading(false) as systemd does. It returns
// what changed as (unit, change) pairs, and the problems found in unit
// files (those units were skipped) as text, "" when there were none.
func (a *API) reload() ([]strPair, string, error) {
	a.emitUnit(ManagerPath, ifaceManager+".Reloading", true)
	rep, err := a.m.Reload()
	a.emitUnit(ManagerPath, ifaceManager+".Reloading", false)
	if err != nil {
		return nil, "", busError(ErrReloadFailed, "Reload failed, nothing changed: %v", err)
	}
	changes := []strPair{}
	for _, c := range []struct {
		what  string
		names []string
	}{{"added", rep.Added}, {"removed", rep.Removed}, {"changed", rep.Changed}} {
		for _, n := range c.names {
			changes = append(changes, strPair{n, c.what})
		}
	}
	problems := ""
	if rep.Errors != nil {
		problems = rep.Errors.Error()
	}
	return changes, problems, nil
}
