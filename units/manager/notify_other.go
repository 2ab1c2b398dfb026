//go:build !linux

package manager

// notifier is absent where the kernel cannot tell who sent a datagram;
// Type=notify units never become ready there (their start times out).
type notifier struct{}

func newNotifier(m *Manager) (*notifier, error) { return &notifier{}, nil }

func (n *notifier) addr() string { return "" }

func (n *notifier) close() {}
