package api

// UnitStatus is one entry of io.svunit1.Manager.ListUnitsStatus: what
// 'svunit status' and 'svunit list' show of a unit, as a fixed struct so
// that a thousand of them encode and decode without a variant each. Its
// D-Bus type is StatusSignature; the fields are named as the properties.
type UnitStatus struct {
	Id                    string
	Description           string
	LoadState             string
	ActiveState           string
	SubState              string
	SupervisorState       string
	Enabled               bool
	MainPID               uint32
	StateChangeTimestamp  uint64
	ActiveEnterTimestamp  uint64
	ExecMainCode          int32
	ExecMainStatus        int32
	ExecMainExitTimestamp uint64
	Result                string
	SpawnError            string
	StatusText            string
	NRestarts             uint32
	Groups                []string
	FragmentPath          string
	StdoutPath            string
	StderrPath            string
	LogStatus             []LogStream
}

// StatusSignature is UnitStatus's D-Bus type.
const StatusSignature = "(ssssssbuttiitsssuasssa" + LogStreamSignature + ")"

func statusOf(u *unitInfo) UnitStatus {
	return UnitStatus{
		Id: u.Name, Description: u.cfg().Description, LoadState: u.LoadState,
		ActiveState: u.ActiveState, SubState: u.SubState, SupervisorState: u.SvState,
		Enabled: u.cfg().Enabled(), MainPID: u.MainPID,
		StateChangeTimestamp: u.StateChange.Wall, ActiveEnterTimestamp: u.ActiveEnter.Wall,
		ExecMainCode: u.ExecCode, ExecMainStatus: u.ExecStatus, ExecMainExitTimestamp: u.ExecExit.Wall,
		Result: u.Result, SpawnError: u.SpawnError, StatusText: u.StatusText, NRestarts: u.NRestarts,
		Groups: strs(u.cfg().Groups), FragmentPath: u.cfg().Path, StdoutPath: u.StdoutPath, StderrPath: u.StderrPath,
		LogStatus: u.LogStatus,
	}
}

// listUnitsStatus returns the status of the units patterns name, or of all
// units when there are none.
func listUnitsStatus(c *call) ([]any, error) {
	snaps, err := c.a.snapshots(c.strs(0))
	if err != nil {
		return nil, err
	}
	out := make([]UnitStatus, 0, len(snaps))
	for i := range snaps {
		if snaps[i].Unit == nil {
			continue
		}
		info := infoOf(&snaps[i])
		c.a.addLogStatus(&info)
		out = append(out, statusOf(&info))
	}
	return []any{out}, nil
}
