package manager

import (
	"os"

	"svunit.dev/svunit/journal"
	"svunit.dev/svunit/units"
)

// outputs is a unit's output capture: a journal.Output opened when the unit
// is loaded and closed when it is removed, so its pipes outlive restarts.
// A nil *outputs (or one with no Output) sends the children's output to
// /dev/null. Opening is cheap (journal creates log files on their first
// bytes), so units are loaded with their outputs open.
type outputs struct {
	o   *journal.Output
	err error // why there is no Output although a log directory is set
}

// failed reports whether opening o failed.
func (o *outputs) failed() bool { return o != nil && o.err != nil }

// openOutputs opens the sinks of u's StandardOutput=/StandardError=; with
// logDir "" output goes to /dev/null.
func openOutputs(u *units.Unit, logDir string) (*outputs, error) {
	if logDir == "" {
		return &outputs{}, nil
	}
	s := &u.Service
	cfg := journal.Config{
		Unit: u.Name, LogDir: logDir, MaxBytes: s.LogMaxBytes, Backups: s.LogBackups,
		SyslogIdentifier: s.SyslogIdentifier, SyslogFacility: s.SyslogFacility,
		SyslogLevel: s.SyslogLevel, SyslogErrorLevel: s.SyslogErrorLevel, SyslogFormat: s.SyslogFormat,
	}
	var err error
	if cfg.Stdout, err = journal.ParseTarget(s.StandardOutput); err != nil {
		return nil, err
	}
	if cfg.Stderr, err = journal.ParseTarget(s.StandardError); err != nil {
		return nil, err
	}
	if cfg.Overflow, err = journal.ParseOverflow(s.LogOverflow); err != nil {
		return nil, err
	}
	o, err := journal.Open(cfg)
	if err != nil {
		return nil, err
	}
	return &outputs{o: o}, nil
}

// files returns the child's fd 1 and 2.
func (o *outputs) files() (stdout, stderr *os.File) {
	if o == nil || o.o == nil {
		return devNull, devNull
	}
	return o.o.Files()
}

func (o *outputs) setPID(pid int) {
	if o != nil && o.o != nil {
		o.o.SetPID(pid)
	}
}

// info describes the sinks for a Snapshot: paths only, which change only
// when the unit is reloaded (live counters come from Manager.LogStatus).
func (o *outputs) info() LogInfo {
	if o == nil {
		return LogInfo{}
	}
	if o.o == nil {
		if o.err != nil {
			return LogInfo{Error: o.err.Error() + " (output goes to /dev/null)"}
		}
		return LogInfo{}
	}
	var li LogInfo
	li.Stdout, li.Stderr = o.o.Paths()
	return li
}

func (o *outputs) status() journal.Status {
	if o == nil || o.o == nil {
		return journal.Status{}
	}
	return o.o.Status()
}

// reopen reopens o's files.
func (o *outputs) reopen() error {
	if o == nil || o.o == nil {
		return nil
	}
	return o.o.Reopen()
}

// close closes o.
func (o *outputs) close() {
	if o != nil && o.o != nil {
		o.o.Close()
	}
}
