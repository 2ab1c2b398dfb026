package api

// methodDocs says in a line what each method does in svunit, for
// docs/dbus-api.md; TestReference fails when a method lacks one.
var methodDocs = map[string]string{
	ifaceManager + ".GetUnit":                    "The unit's object path; NoSuchUnit when no unit has that name.",
	ifaceManager + ".GetUnitByPID":               "The unit whose main process has that pid.",
	ifaceManager + ".GetUnitProcesses":           "The processes of a unit (of every unit for -.slice): group (the unit's ControlGroup, or /NAME without a cgroup), pid, command line.",
	ifaceManager + ".LoadUnit":                   "As GetUnit, but an unknown name gets its not-found object.",
	ifaceManager + ".GetJob":                     "A pending job's object path.",
	ifaceManager + ".StartUnit":                  "Queue a start job.",
	ifaceManager + ".StopUnit":                   "Queue a stop job.",
	ifaceManager + ".RestartUnit":                "Queue a restart job (stop if running, then start).",
	ifaceManager + ".TryRestartUnit":             "Restart if active; otherwise a job with nothing to do.",
	ifaceManager + ".ReloadOrRestartUnit":        "Runs ExecReload= when the unit is running and has one; otherwise as RestartUnit.",
	ifaceManager + ".ReloadOrTryRestartUnit":     "As TryRestartUnit.",
	ifaceManager + ".ReloadUnit":                 "Fails with JobTypeNotApplicable.",
	ifaceManager + ".KillUnit":                   "Send a signal to the main process (whom main) or every process (all).",
	ifaceManager + ".ResetFailedUnit":            "Forget a failed state and the restart counters.",
	ifaceManager + ".ResetFailed":                "ResetFailedUnit for every unit.",
	ifaceManager + ".ListUnits":                  "Every unit: name, description, load, active and sub state, following, path, job id, type, path.",
	ifaceManager + ".ListUnitsFiltered":          "Units whose load, active or sub state is one of states.",
	ifaceManager + ".ListUnitsByPatterns":        "Units by states and shell globs on the name (empty lists match all).",
	ifaceManager + ".ListUnitsByNames":           "One entry per name, not-found ones included.",
	ifaceManager + ".ListJobs":                   "Pending jobs: id, unit, type, state, job path, unit path.",
	ifaceManager + ".ListUnitFiles":              "Unit files with enabled (has WantedBy=) or disabled.",
	ifaceManager + ".ListUnitFilesByPatterns":    "ListUnitFiles filtered by states and globs.",
	ifaceManager + ".GetUnitFileState":           "enabled or disabled.",
	ifaceManager + ".Subscribe":                  "Receive unit signals (PropertiesChanged, UnitNew, UnitRemoved, Reloading) until Unsubscribe or disconnect.",
	ifaceManager + ".Unsubscribe":                "Stop receiving unit signals.",
	ifaceManager + ".Reload":                     "Re-read the unit directory and apply the difference (svunit reload).",
	ifaceSvunitManager + ".StartUnits":           "Start the units patterns name (unit, @group, all, glob), in start order.",
	ifaceSvunitManager + ".StopUnits":            "Stop them, in reverse start order.",
	ifaceSvunitManager + ".RestartUnits":         "Restart them, in start order.",
	ifaceSvunitManager + ".ReloadOrRestartUnits": "As RestartUnits.",
	ifaceSvunitManager + ".KillUnits":            "Signal them (whom main or all); returns the units signalled.",
	ifaceSvunitManager + ".ResetFailedUnits":     "Reset their failed state; returns the units.",
	ifaceSvunitManager + ".ResolveUnits":         "The unit names patterns stand for, sorted.",
	ifaceSvunitManager + ".ListGroups":           "Each group with its members.",
	ifaceSvunitManager + ".GetUnitsProperties":   "Named properties (all when none) of the units patterns name (all when none), in one call.",
	ifaceSvunitManager + ".ListUnitsStatus":      "What 'svunit status' shows of the units patterns name (all when none), as one struct per unit: Id, Description, LoadState, ActiveState, SubState, SupervisorState, Enabled, MainPID, StateChangeTimestamp, ActiveEnterTimestamp, ExecMainCode, ExecMainStatus, ExecMainExitTimestamp, Result, SpawnError, StatusText, NRestarts, Groups, FragmentPath, StdoutPath, StderrPath, LogStatus.",
	ifaceSvunitManager + ".Reload":               "Reload and return (unit, added|removed|changed) pairs and the unit-file problems found (skipped units).",
	ifaceSvunitManager + ".TailLog":              "The last lines of a unit's stdout or stderr log file.",
	ifaceSvunitManager + ".FollowLog":            "A pipe carrying the last lines of the log file, then each new line (across rotations) until the client closes it.",
	ifaceSvunitManager + ".OpenLogStream":        "FollowLog without a descriptor, for connections that cannot carry one (ssh): start following the log file and return a stream id for ReadLogStream.",
	ifaceSvunitManager + ".ReadLogStream":        "The lines of an open stream since the last read, waiting up to timeout_ms (30 s at most) for one; skipped counts lines lost beyond 1 MiB unread; open false: the stream ended. Only the connection that opened it may read it; unread for a minute, it ends.",
	ifaceSvunitManager + ".CloseLogStream":       "End a log stream opened by this connection.",
	ifaceSvunitManager + ".RotateLogs":           "Rotate the units' log files now, at a line boundary, as at LogMaxBytes=; returns the units.",
	ifaceUnit + ".Start":                         "StartUnit on this unit.",
	ifaceUnit + ".Stop":                          "StopUnit on this unit.",
	ifaceUnit + ".Restart":                       "RestartUnit on this unit.",
	ifaceUnit + ".TryRestart":                    "TryRestartUnit on this unit.",
	ifaceUnit + ".ReloadOrRestart":               "ReloadOrRestartUnit on this unit.",
	ifaceUnit + ".ReloadOrTryRestart":            "ReloadOrTryRestartUnit on this unit.",
	ifaceUnit + ".Reload":                        "Fails with JobTypeNotApplicable.",
	ifaceUnit + ".Kill":                          "KillUnit on this unit.",
	ifaceUnit + ".ResetFailed":                   "ResetFailedUnit on this unit.",
	ifaceJob + ".Cancel":                         "Fails with NotSupported: queue the opposite job instead.",
}

// propDocs explains, for docs/dbus-api.md, the properties whose meaning the
// name and type do not say: structs, above all.
var propDocs = map[string]string{
	ifaceSvunitUnit + ".LogStatus": "how the capture of each stream fares, one struct per stream that has a sink: " +
		"stream (`stdout`, `stderr`), sink (the StandardOutput=/StandardError= target with its path; `stdout` for a stderr merged into stdout, which then has no counts of its own), " +
		"bytes written, bytes dropped (sink failures, and LogOverflow=drop), the current error (empty once a write works again), " +
		"the last error (kept after recovery) and its time (µs since the epoch, 0 for never). " +
		"The counts change with every write, so no PropertiesChanged is sent for it: read it when needed. ListUnitsStatus carries the same array.",
}
