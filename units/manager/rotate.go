package manager

import (
	"errors"
	"fmt"
)

// RotateLogs rotates the log files of the named units (names, @groups,
// globs or "all") now, at a line boundary, as when a file reaches
// LogMaxBytes= (svunit logs --rotate, Supervisor's #273). Streams whose sink
// is not a regular file are left alone. It holds off Reload and Shutdown
// while it runs, so that it never rotates an output they are closing; it
// may wait for a write in progress to the same file, never for a FIFO or
// a syslog daemon. The error names each unit whose rotation failed.
func (m *Manager) RotateLogs(names ...string) error {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	us, err := m.resolve(names, false)
	if err != nil {
		return err
	}
	var errs []error
	for _, u := range us {
		if s := m.service(u.Name); s != nil {
			if err := s.out.Load().rotate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", u.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// rotate rotates o's log files; a unit without an Output has none, and
// pending outputs have none open yet.
func (o *outputs) rotate() error {
	if o == nil || o.o == nil {
		return nil
	}
	return o.o.Rotate()
}
