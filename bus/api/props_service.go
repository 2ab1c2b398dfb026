package api

import (
	"syscall"

	"svunit.dev/svunit/units"
)

// execStatus is one a(sasbttttuii) entry of ExecStart and friends: the
// command, and what happened the last time it ran.
type execStatus struct {
	Path         string
	Argv         []string
	IgnoreErrors bool
	StartWall    uint64
	StartMono    uint64
	ExitWall     uint64
	ExitMono     uint64
	PID          uint32
	Code         int32
	Status       int32
}

// exitSet is the (aiai) form of SuccessExitStatus and friends.
type exitSet struct {
	Codes   []int32
	Signals []int32
}

func exitSetOf(s units.ExitStatusSet) exitSet {
	out := exitSet{Codes: []int32{}, Signals: []int32{}}
	for _, c := range s.Codes {
		out.Codes = append(out.Codes, int32(c))
	}
	for _, sig := range s.Signals {
		out.Signals = append(out.Signals, int32(sig))
	}
	return out
}

// execList converts commands; run, when non-nil, is the status of the main
// process and is attached to the first command.
func execList(cmds []units.Command, run *unitInfo) []execStatus {
	out := make([]execStatus, 0, len(cmds))
	for i, c := range cmds {
		e := execStatus{Argv: strs(c.Argv), IgnoreErrors: c.IgnoreFailure}
		if len(c.Argv) > 0 {
			e.Path = c.Argv[0]
		}
		if c.Argv0 != "" && len(e.Argv) > 0 {
			e.Argv = append([]string{c.Argv0}, e.Argv[1:]...)
		}
		if i == 0 && run != nil && run.ExecPID != 0 {
			e.StartWall, e.StartMono = run.ExecStart.Wall, run.ExecStart.Mono
			e.ExitWall, e.ExitMono = run.ExecExit.Wall, run.ExecExit.Mono
			e.PID, e.Code, e.Status = run.ExecPID, run.ExecCode, run.ExecStatus
		}
		out = append(out, e)
	}
	return out
}

// maxU64 is systemd's "not available" for counters it cannot measure;
// systemctl status leaves such lines out.
const maxU64 = ^uint64(0)

func (u *unitInfo) svc() *units.Service { return &u.cfg().Service }

// serviceProps are org.freedesktop.systemd1.Service's properties.
var serviceProps = []prop[*unitInfo]{
	{"Type", "s", false, func(u *unitInfo) any { return string(u.svc().Type) }},
	{"ExitType", "s", false, func(u *unitInfo) any { return "main" }},
	{"Restart", "s", false, func(u *unitInfo) any { return string(u.svc().Restart) }},
	{"PIDFile", "s", false, func(u *unitInfo) any { return u.svc().PIDFile }},
	{"NotifyAccess", "s", false, func(u *unitInfo) any { return notifyAccess(u) }},
	{"RestartUSec", "t", false, func(u *unitInfo) any { return usec(u.svc().RestartSec) }},
	{"RestartSteps", "u", false, func(u *unitInfo) any { return uint32(u.svc().RestartSteps) }},
	{"RestartMaxDelayUSec", "t", false, func(u *unitInfo) any { return usec(u.svc().RestartMaxDelaySec) }},
	{"TimeoutStartUSec", "t", false, func(u *unitInfo) any { return usec(u.svc().TimeoutStartSec) }},
	{"TimeoutStopUSec", "t", false, func(u *unitInfo) any { return usec(u.svc().TimeoutStopSec) }},
	{"RuntimeMaxUSec", "t", false, func(u *unitInfo) any { return maxU64 }},
	{"WatchdogUSec", "t", false, func(u *unitInfo) any { return uint64(0) }},
	{"RemainAfterExit", "b", false, func(u *unitInfo) any { return false }},
	{"RestartPreventExitStatus", "(aiai)", false, func(u *unitInfo) any { return exitSetOf(u.svc().RestartPreventExitStatus) }},
	{"RestartForceExitStatus", "(aiai)", false, func(u *unitInfo) any { return exitSetOf(u.svc().RestartForceExitStatus) }},
	{"SuccessExitStatus", "(aiai)", false, func(u *unitInfo) any { return exitSetOf(u.svc().SuccessExitStatus) }},
	{"MainPID", "u", true, func(u *unitInfo) any { return u.MainPID }},
	{"ControlPID", "u", true, func(u *unitInfo) any { return uint32(0) }},
	{"StatusText", "s", true, func(u *unitInfo) any { return u.StatusText }},
	{"StatusErrno", "i", true, func(u *unitInfo) any { return int32(0) }},
	{"Result", "s", true, func(u *unitInfo) any { return u.Result }},
	{"ReloadResult", "s", true, func(u *unitInfo) any { return "success" }},
	{"NRestarts", "u", true, func(u *unitInfo) any { return u.NRestarts }},
	{"ExecMainStartTimestamp", "t", true, func(u *unitInfo) any { return u.ExecStart.Wall }},
	{"ExecMainStartTimestampMonotonic", "t", true, func(u *unitInfo) any { return u.ExecStart.Mono }},
	{"ExecMainExitTimestamp", "t", true, func(u *unitInfo) any { return u.ExecExit.Wall }},
	{"ExecMainExitTimestampMonotonic", "t", true, func(u *unitInfo) any { return u.ExecExit.Mono }},
	{"ExecMainPID", "u", true, func(u *unitInfo) any { return u.ExecPID }},
	{"ExecMainCode", "i", true, func(u *unitInfo) any { return u.ExecCode }},
	{"ExecMainStatus", "i", true, func(u *unitInfo) any { return u.ExecStatus }},
	{"ExecStartPre", "a(sasbttttuii)", false, func(u *unitInfo) any { return execList(u.svc().ExecStartPre, nil) }},
	{"ExecStart", "a(sasbttttuii)", true, func(u *unitInfo) any { return execList(u.svc().ExecStart, u) }},
	{"ExecStartPost", "a(sasbttttuii)", false, func(u *unitInfo) any { return execList(u.svc().ExecStartPost, nil) }},
	{"ExecReload", "a(sasbttttuii)", false, func(u *unitInfo) any { return execList(u.svc().ExecReload, nil) }},
	{"ExecStop", "a(sasbttttuii)", false, func(u *unitInfo) any { return execList(u.svc().ExecStop, nil) }},
	{"Slice", "s", false, func(u *unitInfo) any { return "" }},
	{"ControlGroup", "s", true, func(u *unitInfo) any { return u.ControlGroup }},
	{"MemoryCurrent", "t", false, func(u *unitInfo) any { return maxU64 }},
	{"CPUUsageNSec", "t", false, func(u *unitInfo) any { return maxU64 }},
	{"TasksCurrent", "t", false, func(u *unitInfo) any { return maxU64 }},
	{"Environment", "as", false, func(u *unitInfo) any { return strs(u.svc().Environment) }},
	{"PassEnvironment", "as", false, func(u *unitInfo) any { return strs(u.svc().PassEnvironment) }},
	{"UMask", "u", false, func(u *unitInfo) any { return umask(u) }},
	{"WorkingDirectory", "s", false, func(u *unitInfo) any { return workingDirectory(u) }},
	{"User", "s", false, func(u *unitInfo) any { return u.svc().User }},
	{"Group", "s", false, func(u *unitInfo) any { return u.svc().Group }},
	{"SupplementaryGroups", "as", false, func(u *unitInfo) any { return strs(u.svc().SupplementaryGroups) }},
	{"StandardOutput", "s", false, func(u *unitInfo) any { return pick(u.svc().StandardOutput, "file") }},
	{"StandardError", "s", false, func(u *unitInfo) any { return pick(u.svc().StandardError, "file") }},
	{"SyslogIdentifier", "s", false, func(u *unitInfo) any { return u.svc().SyslogIdentifier }},
	{"LimitNOFILE", "t", false, func(u *unitInfo) any { return limit(u, syscall.RLIMIT_NOFILE, true) }},
	{"LimitNOFILESoft", "t", false, func(u *unitInfo) any { return limit(u, syscall.RLIMIT_NOFILE, false) }},
	{"LimitCORE", "t", false, func(u *unitInfo) any { return limit(u, syscall.RLIMIT_CORE, true) }},
	{"LimitCORESoft", "t", false, func(u *unitInfo) any { return limit(u, syscall.RLIMIT_CORE, false) }},
	{"KillMode", "s", false, func(u *unitInfo) any { return string(u.svc().KillMode) }},
	{"KillSignal", "i", false, func(u *unitInfo) any { return int32(u.svc().KillSignal) }},
	{"SendSIGKILL", "b", false, func(u *unitInfo) any { return u.svc().SendSIGKILL }},
}

func notifyAccess(u *unitInfo) string {
	if u.svc().Type == units.Notify {
		return "main"
	}
	return "none"
}

func umask(u *unitInfo) uint32 {
	if m := u.svc().UMask; m != nil {
		return *m
	}
	return 0o022
}

func workingDirectory(u *unitInfo) string {
	if u.svc().WorkingDirectoryOptional && u.svc().WorkingDirectory != "" {
		return "-" + u.svc().WorkingDirectory
	}
	return u.svc().WorkingDirectory
}

// limit returns the unit's Limit*= value, or the manager's own limit (what
// the child inherits) when the unit sets none.
func limit(u *unitInfo, resource int, hard bool) uint64 {
	for _, l := range u.svc().Limits {
		if l.Resource == resource {
			return pickLimit(l.Cur, l.Max, hard)
		}
	}
	var r syscall.Rlimit
	if syscall.Getrlimit(resource, &r) != nil {
		return maxU64
	}
	return pickLimit(uint64(r.Cur), uint64(r.Max), hard) // int64 on FreeBSD
}

func pickLimit(cur, max uint64, hard bool) uint64 {
	if hard {
		return max
	}
	return cur
}

func pick(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
