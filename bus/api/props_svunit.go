package api

// svunitUnitProps are io.svunit1.Unit's properties: what Supervisor users
// expect and systemd has no name for.
var svunitUnitProps = []prop[*unitInfo]{
	{"SupervisorState", "s", true, func(u *unitInfo) any { return u.SvState }},
	{"SpawnError", "s", true, func(u *unitInfo) any { return u.SpawnError }},
	{"Groups", "as", false, func(u *unitInfo) any { return strs(u.cfg().Groups) }},
	{"Priority", "i", false, func(u *unitInfo) any { return int32(u.svc().Priority) }},
	{"StartSecsUSec", "t", false, func(u *unitInfo) any { return usec(u.svc().StartSecs) }},
	{"StartRetries", "u", false, func(u *unitInfo) any { return uint32(u.svc().StartRetries) }},
	{"Template", "s", false, func(u *unitInfo) any { return u.cfg().Template }},
	{"Instance", "s", false, func(u *unitInfo) any { return u.cfg().Instance }},
	{"Enabled", "b", false, func(u *unitInfo) any { return u.cfg().Enabled() }},
	{"StdoutPath", "s", false, func(u *unitInfo) any { return u.StdoutPath }},
	{"StderrPath", "s", false, func(u *unitInfo) any { return u.StderrPath }},
	{"LogMaxBytes", "t", false, func(u *unitInfo) any { return uint64(max(u.svc().LogMaxBytes, 0)) }},
	{"LogBackups", "u", false, func(u *unitInfo) any { return uint32(max(u.svc().LogBackups, 0)) }},
	{"LogStatus", "a" + LogStreamSignature, false, func(u *unitInfo) any { return logStatusOf(u) }},
	{"ExitCode", "i", true, func(u *unitInfo) any { return exitCodeOf(u) }},
	{"ExitSignal", "i", true, func(u *unitInfo) any { return exitSignalOf(u) }},
}

// CLD_* codes of ExecMainCode, as waitid reports them.
const (
	cldExited = 1
	cldKilled = 2
	cldDumped = 3
)

// exitCodeOf is the last exit status, or -1 when the process was killed by a
// signal or never exited.
func exitCodeOf(u *unitInfo) int32 {
	if u.ExecCode == cldExited {
		return u.ExecStatus
	}
	return -1
}

func exitSignalOf(u *unitInfo) int32 {
	if u.ExecCode == cldKilled || u.ExecCode == cldDumped {
		return u.ExecStatus
	}
	return 0
}
