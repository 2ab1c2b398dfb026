package api

import (
	"context"
	"os"
	"sync/atomic"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/journal"
)

// maxFollowers bounds the FollowLog streams the daemon serves at once.
const maxFollowers = 64

// followers counts the FollowLog streams being served.
var followers atomic.Int32

// followLog serves io.svunit1.Manager.FollowLog: it returns the read end of
// a pipe on which the daemon writes the last lines of a unit's log file and
// then each line appended to it, across rotations, until the client closes
// the pipe or the daemon stops. The log file
// itself may be unreadable to the client: this is how 'svunit logs -f'
// works for users the daemon's access rules allow.
func followLog(c *call) ([]any, error) {
	p, err := startFollowing(c)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		followers.Add(-1)
		return nil, busError(ErrFailed, "Cannot make a pipe for the log stream: %v.", err)
	}
	c.onReplied(func() { r.Close() }) // the client has its own copy now
	ctx, cancel := context.WithCancel(c.a.ctx)
	hangup, err := watchHangup(w, cancel)
	if err != nil {
		cancel()
		followers.Add(-1)
		r.Close()
		w.Close()
		return nil, busError(ErrFailed, "Cannot watch the log stream: %v.", err)
	}
	c.a.wg.Add(1)
	go func() {
		defer c.a.wg.Done()
		defer followers.Add(-1)
		defer w.Close()
		defer hangup()
		if err := journal.FollowLines(ctx, p, int(min(c.u32(2), 100000)), w); err != nil {
			c.a.logf("api: log stream of %s ended: %v", p, err)
		}
	}()
	return []any{dbus.UnixFD(r.Fd())}, nil
}

// logPath returns the file a unit's stdout or stderr goes to.
func (a *API) logPath(name, stream string) (string, error) {
	s, ok := a.resolve(name)
	if !ok || s.Unit == nil {
		return "", noSuchUnit(name)
	}
	var p string
	switch stream {
	case "stdout", "":
		p = s.Logs.Stdout
	case "stderr":
		p = s.Logs.Stderr
	default:
		return "", busError(ErrInvalidArgs, "Stream %q: want stdout or stderr.", stream)
	}
	if p == "" {
		return "", busError(ErrNotSupported, "%s's %s does not go to a file, so there is nothing to read.", s.Unit.Name, pick(stream, "stdout"))
	}
	return p, nil
}

// startFollowing returns the log file that c's unit and stream arguments
// name, with a place among the followers taken: the caller gives it back
// with followers.Add(-1) when the stream ends.
func startFollowing(c *call) (string, error) {
	p, err := c.a.logPath(c.str(0), c.str(1))
	if err != nil {
		return "", err
	}
	if followers.Add(1) > maxFollowers {
		followers.Add(-1)
		return "", busError(ErrLimitsExceeded, "The daemon already serves %d log streams; try again when one ends.", maxFollowers)
	}
	return p, nil
}
