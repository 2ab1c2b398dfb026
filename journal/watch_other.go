//go:build !linux

package journal

import (
	"context"
	"time"
)

// followPoll is how often Follow looks at the file where inotify is missing.
// Follow runs in the client (svunit logs -f), never in the manager, so the
// manager itself still has no periodic wake-ups.
const followPoll = 250 * time.Millisecond

// watcher wakes Follow periodically; this platform has no inotify.
type watcher struct{}

func newWatcher(path string) (*watcher, error) { return &watcher{}, nil }

func (w *watcher) wait(ctx context.Context) error {
	t := time.NewTimer(followPoll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (w *watcher) close() {}
