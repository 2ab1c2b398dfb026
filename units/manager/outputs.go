package manager

import (
	"os"

	"svunit.dev/svunit/journal"
	"svunit.dev/svunit/units"
)

// outputs is a unit's output capture: a journal.Output opened when the unit
// is loaded and closed when it is removed, so its pipes outlive restarts.
// A nil *outputs (or one with no Output) sends the children's output to
// /dev/null.
//
// The outputs of the units New and Reload load are opened in the
// background (see openInBackground), so a boot's first spawns go on while
// later units' outputs are opened. Until then an outputs is pending: a
// spawn waits for it, readers see no files yet. This dates from when Open
// created both log files (1.5 ms a unit on ext4); journal now creates them
// on their first bytes and Open costs about 25 µs, so opening in New would
// do as well, but that change belongs to New and the service loop.
type outputs struct {
	opened chan struct{} // nil, or closed once o and err are set (pending until then)
	o      *journal.Output
	err    error // why there is no Output although a log directory is set
}

// pendingOutputs returns outputs that set fills in later.
func pendingOutputs() *outputs { return &outputs{opened: make(chan struct{})} }

// set fills in pending outputs with what opening gave.
func (o *outputs) set(opened *outputs) {
	o.o, o.err = opened.o, opened.err
	close(o.opened)
}

// wait returns once o is no longer pending.
func (o *outputs) wait() {
	if o != nil && o.opened != nil {
		<-o.opened
	}
}

// isPending reports whether o is still being opened, without waiting.
func (o *outputs) isPending() bool {
	if o == nil || o.opened == nil {
		return false
	}
	select {
	case <-o.opened:
		return false
	default:
		return true
	}
}

// failed reports whether opening o failed, once it is no longer pending.
func (o *outputs) failed() bool {
	o.wait()
	return o != nil && o.err != nil
}

// openInBackground opens the pending outputs of ss, in order, on a
// goroutine of its own, and has each unit publish a snapshot that shows
// them. us are the definitions ss were made with.
func (m *Manager) openInBackground(ss []*service, us []*units.Unit) {
	if len(ss) == 0 {
		return
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for i, s := range ss {
			s.out.Load().set(m.openOutputs(us[i]))
			s.send(msgOpened{})
		}
	}()
}

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
	o.wait()
	if o == nil || o.o == nil {
		return devNull, devNull
	}
	return o.o.Files()
}

func (o *outputs) setPID(pid int) {
	if o != nil && !o.isPending() && o.o != nil {
		o.o.SetPID(pid)
	}
}

// info describes the sinks for a Snapshot: paths only, which change only
// when the unit is reloaded (live counters come from Manager.LogStatus).
// Pending outputs have none yet.
func (o *outputs) info() LogInfo {
	if o == nil || o.isPending() {
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
	if o == nil || o.isPending() || o.o == nil {
		return journal.Status{}
	}
	return o.o.Status()
}

// reopen reopens o's files; pending outputs have none open yet.
func (o *outputs) reopen() error {
	if o == nil || o.isPending() || o.o == nil {
		return nil
	}
	return o.o.Reopen()
}

// close closes o, once it is no longer pending.
func (o *outputs) close() {
	o.wait()
	if o != nil && o.o != nil {
		o.o.Close()
	}
}
