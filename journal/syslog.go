package journal

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// syslogLineMax is the longest message sent in one datagram; longer lines
// are split. rsyslog's default maximum message size is 8 KiB.
const syslogLineMax = 8000

// syslogSink sends each line as one message to the local syslog socket (a
// datagram, or a newline-ended record on a stream socket), in the format
// glibc's syslog(3) uses there, or in RFC 5424's (see format).
// It reconnects when the daemon has restarted. Its methods run under
// stream.mu.
type syslogSink struct {
	addr    string
	ident   string
	rfc5424 bool                         // RFC 5424 messages instead of RFC 3164's
	host    string                       // HOSTNAME of RFC 5424 messages
	stream  bool                         // conn is a stream socket: each message ends with a newline
	prio    int                          // facility*8 + level
	pid     *atomic.Int64                // the Output's current main pid
	conn    *net.UnixConn                // nil while disconnected
	cur     atomic.Pointer[net.UnixConn] // conn, for abort, which runs without stream.mu
	aborted atomic.Bool                  // set by abort: connect no more
	lines   lineSplitter
	msg     []byte // the datagram being built, reused
}

// newSyslogSink prepares the sink for stdout or stderr. Not reaching the
// daemon now is not an error: it may start later, and Status shows the
// failure until it does.
func newSyslogSink(cfg *Config, stderr bool, pid *atomic.Int64) (*syslogSink, error) {
	fac, lvl, err := priority(cfg, stderr)
	if err != nil {
		return nil, err
	}
	format, err := ParseSyslogFormat(cfg.SyslogFormat)
	if err != nil {
		return nil, err
	}
	s := &syslogSink{addr: cfg.SyslogSocket, ident: identifier(cfg), prio: fac*8 + lvl, pid: pid, rfc5424: format == "rfc5424"}
	if s.rfc5424 {
		s.host, _ = os.Hostname()
		if s.host == "" {
			s.host = "-"
		}
	}
	if s.addr == "" {
		s.addr = DefaultSyslogSocket
	}
	s.lines = lineSplitter{max: syslogLineMax, emit: s.send}
	_ = s.connect()
	return s, nil
}

// priority returns the facility and level of a stream's lines: SyslogLevel
// for stdout (info by default), SyslogErrorLevel for stderr (err).
func priority(cfg *Config, stderr bool) (facility, level int, err error) {
	if facility, err = ParseSyslogFacility(cfg.SyslogFacility); err != nil {
		return 0, 0, err
	}
	if stderr {
		level, err = ParseSyslogLevel(cfg.SyslogErrorLevel, syslogLevels["err"])
	} else {
		level, err = ParseSyslogLevel(cfg.SyslogLevel, syslogLevels["info"])
	}
	return facility, level, err
}

// identifier is SyslogIdentifier, or the unit's name without its suffix.
func identifier(cfg *Config) string {
	if cfg.SyslogIdentifier != "" {
		return cfg.SyslogIdentifier
	}
	if i := strings.LastIndexByte(cfg.Unit, '.'); i > 0 {
		return cfg.Unit[:i]
	}
	return cfg.Unit
}

func (s *syslogSink) connect() error {
	if s.aborted.Load() {
		return fmt.Errorf("syslog socket %s: output closed", s.addr)
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.addr, Net: "unixgram"})
	if errors.Is(err, syscall.EPROTOTYPE) {
		// A stream socket (syslog-ng's unix-stream, rsyslog's imptcp), as
		// glibc falls back to: one message per line.
		c, err = net.DialUnix("unix", nil, &net.UnixAddr{Name: s.addr, Net: "unix"})
		s.stream = true
	}
	if err != nil {
		return fmt.Errorf("syslog socket %s: %w; is a syslog daemon running?", s.addr, err)
	}
	s.conn = c
	s.cur.Store(c)
	return nil
}

// abort makes a send stuck on a daemon that does not read return, for
// Close.
func (s *syslogSink) abort() {
	s.aborted.Store(true)
	if c := s.cur.Load(); c != nil {
		c.SetWriteDeadline(time.Unix(1, 0))
	}
}

func (s *syslogSink) write(p []byte) (int, error) { return s.lines.write(p) }

// send sends one line, reconnecting once if the daemon went away.
func (s *syslogSink) send(line []byte) error {
	s.msg = s.format(s.msg[:0], line)
	if s.stream {
		s.msg = append(s.msg, '\n')
	}
	var err error
	for try := 0; try < 2; try++ {
		if s.conn == nil {
			if err = s.connect(); err != nil {
				continue
			}
		}
		if _, err = s.conn.Write(s.msg); err == nil {
			break
		}
		s.conn.Close()
		s.conn = nil
		err = fmt.Errorf("syslog socket %s: %w", s.addr, err)
	}
	if cap(s.msg) > 4096 {
		s.msg = nil
	}
	return err
}

// format appends one message: "<PRI>Mmm dd hh:mm:ss IDENT[PID]: LINE"
// (RFC 3164 as glibc sends it locally, without a host name), or
// "<PRI>1 TIMESTAMP HOST IDENT PID - - LINE" (RFC 5424).
func (s *syslogSink) format(b, line []byte) []byte {
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(s.prio), 10)
	b = append(b, '>')
	pid := s.pid.Load()
	if s.rfc5424 {
		b = append(b, "1 "...)
		b = time.Now().UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z")
		b = append(append(append(b, ' '), s.host...), ' ')
		b = append(append(b, s.ident...), ' ')
		if pid > 0 {
			b = strconv.AppendInt(b, pid, 10)
		} else {
			b = append(b, '-')
		}
		b = append(b, " - - "...)
		return append(b, line...)
	}
	b = time.Now().AppendFormat(b, time.Stamp)
	b = append(b, ' ')
	b = append(b, s.ident...)
	if pid > 0 {
		b = append(b, '[')
		b = strconv.AppendInt(b, pid, 10)
		b = append(b, ']')
	}
	b = append(b, ": "...)
	return append(b, line...)
}

func (s *syslogSink) close() error {
	err := s.lines.flush()
	if s.conn != nil {
		err = errors.Join(err, s.conn.Close())
		s.conn = nil
	}
	return err
}
