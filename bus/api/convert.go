package api

import (
	"time"

	"svunit.dev/svunit/units/manager"
)

// infoOf converts a manager snapshot to what the API shows.
func infoOf(s *manager.Snapshot) unitInfo {
	u := unitInfo{
		Unit:        s.Unit,
		LoadState:   s.LoadState,
		ActiveState: s.ActiveState,
		SubState:    s.SubState,
		SvState:     s.State.String(),
		Result:      string(s.Result),
		StatusText:  s.StatusText,
		SpawnError:  s.SpawnError,
		MainPID:     uint32(s.MainPID),
		NRestarts:   s.NRestarts,
		StdoutPath:  s.Logs.Stdout,
		StderrPath:  s.Logs.Stderr,

		ExecStart:     stampOf(s.Timestamps.MainStart),
		ExecExit:      stampOf(s.LastExit.Time),
		StateChange:   stampOf(s.Timestamps.StateChange),
		ActiveEnter:   stampOf(s.Timestamps.ActiveEnter),
		ActiveExit:    stampOf(s.Timestamps.ActiveExit),
		InactiveEnter: stampOf(s.Timestamps.InactiveEnter),
		InactiveExit:  stampOf(s.Timestamps.InactiveExit),
	}
	if s.Unit != nil {
		u.Name = s.Unit.Name
		u.Aliases = s.Unit.Install.Alias
		u.UnitFileState = "disabled"
		if s.Unit.Enabled() {
			u.UnitFileState = "enabled"
		}
	}
	u.ControlGroup = s.CgroupPath()
	if u.Result == "" {
		u.Result = "success"
	}
	u.ExecPID = uint32(s.LastExit.PID)
	if s.MainPID != 0 {
		// The current run: ExecMain* describe it until it exits.
		u.ExecPID, u.ExecExit = uint32(s.MainPID), stamp{}
	} else {
		u.ExecCode, u.ExecStatus = exitCodes(s.LastExit)
	}
	return u
}

// exitCodes returns ExecMainCode (CLD_*) and ExecMainStatus for e.
func exitCodes(e manager.ExitInfo) (int32, int32) {
	switch e.Code {
	case "exited":
		return cldExited, int32(e.Status)
	case "killed":
		return cldKilled, int32(e.Signal)
	case "dumped":
		return cldDumped, int32(e.Signal)
	}
	return 0, 0
}

func stampOf(t manager.Timestamp) stamp {
	if t.IsZero() {
		return stamp{}
	}
	return stamp{Wall: uint64(t.Wall.UnixMicro()), Mono: uint64(t.Mono / time.Microsecond)}
}
