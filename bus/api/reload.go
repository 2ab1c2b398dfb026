package api

// reload re-reads the unit directory through the manager, announcing it
// with Reloading(true) and Reloading(false) as systemd does, and returns
// what changed as (unit, change) pairs.
func (a *API) reload() ([]strPair, error) {
	r, ok := any(a.m).(interface{ Reload() error })
	if !ok {
		return nil, busError(ErrNotSupported, "this svunit manager cannot reload its units yet; restart the daemon to pick up changes.")
	}
	a.emit(ManagerPath, ifaceManager+".Reloading", true)
	err := r.Reload()
	a.emit(ManagerPath, ifaceManager+".Reloading", false)
	if err != nil {
		return nil, busError(ErrReloadFailed, "%v", err)
	}
	return []strPair{}, nil
}
