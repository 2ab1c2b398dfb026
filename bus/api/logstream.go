package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/journal"
)

// Log streams are FollowLog without a file descriptor, for clients whose
// connection cannot carry one ('svunit -H HOST logs -f' goes through ssh):
// OpenLogStream starts following a unit's log file in the daemon, and the
// client long-polls ReadLogStream for the lines, which are buffered in
// between. Only the connection that opened a stream may read or close it.
// A stream nobody reads for logStreamIdle ends by itself, so a client that
// vanishes costs a buffer for that long at most; it shares FollowLog's
// limit of maxFollowers.
const (
	logStreamIdle     = time.Minute
	logStreamMaxWait  = 30 * time.Second // the longest ReadLogStream waits for a line
	logStreamMaxBytes = 1 << 20          // buffered per stream; older lines are skipped beyond
)

// logStreamTable holds the open streams by id.
var logStreamTable = struct {
	mu sync.Mutex // guards m
	m  map[string]*logStream
}{m: map[string]*logStream{}}

// A logStream is one followed log file and the lines not yet read.
type logStream struct {
	id     string
	owner  string     // the unique bus name of the connection that opened it
	bus    *dbus.Conn // the API's connection it came through: unique names are per bus
	cancel context.CancelFunc
	idle   *time.Timer   // ends and forgets the stream when nobody reads it for logStreamIdle
	ready  chan struct{} // capacity 1: lines arrived or the stream ended

	mu      sync.Mutex // guards the fields below
	lines   []string
	bytes   int
	skipped uint32 // lines dropped because the reader fell behind
	ended   bool
}

// Write takes whole lines from journal.FollowLines. It never blocks: past
// logStreamMaxBytes the oldest lines are dropped and counted.
func (s *logStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	for _, l := range strings.SplitAfter(string(p), "\n") {
		if l == "" {
			continue
		}
		s.lines = append(s.lines, strings.TrimSuffix(l, "\n"))
		s.bytes += len(l)
	}
	for s.bytes > logStreamMaxBytes && len(s.lines) > 1 {
		s.bytes -= len(s.lines[0]) + 1
		s.lines[0] = ""
		s.lines = s.lines[1:]
		s.skipped++
	}
	s.mu.Unlock()
	s.signal()
	return len(p), nil
}

func (s *logStream) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// take returns the buffered lines and skip count, and whether the stream
// has ended.
func (s *logStream) take() ([]string, uint32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines, skipped := s.lines, s.skipped
	s.lines, s.bytes, s.skipped = nil, 0, 0
	return lines, skipped, s.ended
}

func openLogStream(c *call) ([]any, error) {
	p, err := startFollowing(c)
	if err != nil {
		return nil, err
	}
	var b [16]byte
	rand.Read(b[:])
	ctx, cancel := context.WithCancel(c.a.ctx)
	s := &logStream{id: hex.EncodeToString(b[:]), owner: c.sender, bus: c.conn, cancel: cancel, ready: make(chan struct{}, 1)}
	s.idle = time.AfterFunc(logStreamIdle, func() { cancel(); forgetLogStream(s) })
	logStreamTable.mu.Lock()
	logStreamTable.m[s.id] = s
	logStreamTable.mu.Unlock()
	c.a.wg.Add(1)
	go func() {
		defer c.a.wg.Done()
		defer followers.Add(-1)
		err := journal.FollowLines(ctx, p, int(min(c.u32(2), 100000)), s)
		if err != nil {
			c.a.logf("api: log stream of %s ended: %v", p, err)
		}
		s.mu.Lock()
		s.ended = true
		s.mu.Unlock()
		s.signal()
	}()
	return []any{s.id}, nil
}

// readLogStream returns the lines buffered since the last read, waiting up
// to timeout_ms (at most logStreamMaxWait) for one when there are none.
// open false means the stream has ended (and is gone).
func readLogStream(c *call) ([]any, error) {
	s, err := ownLogStream(c)
	if err != nil {
		return nil, err
	}
	s.idle.Reset(logStreamIdle)
	lines, skipped, ended := s.take()
	if len(lines) == 0 && skipped == 0 && !ended {
		wait := min(time.Duration(c.u32(1))*time.Millisecond, logStreamMaxWait)
		t := time.NewTimer(wait)
		select {
		case <-s.ready:
		case <-t.C:
		case <-c.a.ctx.Done():
		}
		t.Stop()
		lines, skipped, ended = s.take()
	}
	if ended {
		s.idle.Stop()
		forgetLogStream(s)
	} else {
		s.idle.Reset(logStreamIdle)
	}
	if lines == nil {
		lines = []string{}
	}
	return []any{lines, skipped, !ended}, nil
}

func closeLogStream(c *call) ([]any, error) {
	s, err := ownLogStream(c)
	if err != nil {
		return nil, err
	}
	s.idle.Stop()
	s.cancel()
	forgetLogStream(s)
	return nil, nil
}

// ownLogStream finds the caller's stream by id: another connection's
// stream is as unknown as one that never existed.
func ownLogStream(c *call) (*logStream, error) {
	logStreamTable.mu.Lock()
	s := logStreamTable.m[c.str(0)]
	logStreamTable.mu.Unlock()
	if s == nil || s.owner != c.sender || s.bus != c.conn {
		return nil, busError(ErrInvalidArgs, "No log stream %q of this connection: it ended, was closed, or was not read for %s.", c.str(0), logStreamIdle)
	}
	return s, nil
}

func forgetLogStream(s *logStream) {
	logStreamTable.mu.Lock()
	delete(logStreamTable.m, s.id)
	logStreamTable.mu.Unlock()
}
