package journal

import (
	"strconv"
	"sync/atomic"

	"github.com/coreos/go-systemd/v22/journal"
)

// journalLineMax matches journald's LineMax= default for stream clients: a
// longer line is sent as several entries.
const journalLineMax = 48 << 10

// journalSink sends each line as one journal entry with the fields
// MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, SYSLOG_FACILITY, SYSLOG_PID and
// OBJECT_PID (the child's pid: _PID is the manager's, set by journald, which
// adds OBJECT_COMM, OBJECT_EXE… for a root manager while the child lives),
// SVUNIT_UNIT and SVUNIT_STREAM, so that journalctl SVUNIT_UNIT=web.unit
// finds one unit's lines. go-systemd
// sends every entry to journald's socket by address, so a restarted journald
// is reached again without reconnecting. Its methods run under stream.mu.
type journalSink struct {
	prio    journal.Priority
	pid     *atomic.Int64 // the Output's current main pid
	vars    map[string]string
	varsPID int64 // the pid vars were built for
	lines   lineSplitter
}

func newJournalSink(cfg *Config, stderr bool, pid *atomic.Int64) (*journalSink, error) {
	fac, lvl, err := priority(cfg, stderr)
	if err != nil {
		return nil, err
	}
	stream := "stdout"
	if stderr {
		stream = "stderr"
	}
	s := &journalSink{prio: journal.Priority(lvl), pid: pid, varsPID: -1}
	s.vars = map[string]string{
		"SYSLOG_IDENTIFIER": identifier(cfg),
		"SYSLOG_FACILITY":   strconv.Itoa(fac),
		"SVUNIT_UNIT":       cfg.Unit,
		"SVUNIT_STREAM":     stream,
	}
	s.lines = lineSplitter{max: journalLineMax, emit: s.send}
	return s, nil
}

func (s *journalSink) write(p []byte) (int, error) { return s.lines.write(p) }

func (s *journalSink) send(line []byte) error {
	if pid := s.pid.Load(); pid != s.varsPID {
		s.varsPID = pid
		if pid > 0 {
			s.vars["SYSLOG_PID"] = strconv.FormatInt(pid, 10)
			s.vars["OBJECT_PID"] = s.vars["SYSLOG_PID"]
		} else {
			delete(s.vars, "SYSLOG_PID")
			delete(s.vars, "OBJECT_PID")
		}
	}
	return journal.Send(string(line), s.prio, s.vars)
}

func (s *journalSink) close() error { return s.lines.flush() }
