// Package bus is svunit's embedded D-Bus message bus: a private bus on a
// unix socket that every standard D-Bus client (busctl, gdbus, dbus-send,
// dbus-monitor, python-dbus, godbus, sd-bus, libdbus) can use, so that a
// manager can be controlled over D-Bus where no dbus-daemon runs.
//
// A Server speaks the D-Bus wire protocol: SASL EXTERNAL authentication
// checked against the kernel's peer credentials, descriptor passing, the
// org.freedesktop.DBus driver (names and their queues, match rules,
// connection credentials, Peer, Introspectable, Properties, Monitoring),
// unicast routing with reply tracking, and signal broadcast by match rule.
// It knows nothing about units; package bus/api puts the manager on it.
//
// Every message is framed and validated by this package before anything
// else looks at it: the fixed header's lengths are checked in 64-bit
// arithmetic against the limits, the message is read into a buffer that
// grows only as bytes arrive, and every header field and body value is
// walked against its signature (array lengths against the bytes left,
// nesting depth, UTF-8, object paths, padding). The bus never hands
// client bytes to godbus's decoder: it forwards validated bytes with a
// rewritten header and reads driver arguments in place; FuzzMessage checks
// that whatever it accepts also decodes with godbus, so godbus clients
// (the manager's included) only receive what they can decode. A malformed
// message disconnects its sender, as the specification asks; the bus never
// panics on input.
//
// # Concurrency
//
// Each connection has one goroutine that authenticates it and then reads,
// validates and routes its messages; routing happens on that goroutine, so
// messages from one sender keep their order. Delivery never blocks the
// sender: a message is written to the recipient's socket at once if it
// takes it, or queued, and a flusher goroutine is started only while a
// recipient has a backlog. A recipient whose queue exceeds
// MaxOutgoingBytes is disconnected. No timers run while the bus is idle;
// the only timer is each connection's authentication deadline, stopped at
// BEGIN. An idle connection holds no read buffer (buffers are pooled and
// taken only when the socket is readable).
//
// The registry (unique names, well-known names and their queues, match
// rules, monitors) is guarded by Server.mu; signals about a change in it
// are queued while the lock is held, so every client sees name changes in
// the order they happened. Pending method calls are tracked per connection
// under the connection's own lock. Server methods are safe for concurrent
// use.
//
// # What it does not do
//
// No service activation (.service files, StartServiceByName starts
// nothing), no TCP or other non-unix transports, no ANONYMOUS or
// DBUS_COOKIE_SHA1 authentication, no reply timeouts (a call waits until
// the callee answers or disconnects), no eavesdropping by ordinary clients
// (only connections the Policy allows, by default the owner and root, may
// use eavesdrop=true or BecomeMonitor), and no XML policy files: access
// decisions are the Policy's.
package bus
