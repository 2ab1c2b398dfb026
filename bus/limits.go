package bus

import (
	"sync/atomic"
	"time"
)

// The bus's limits. Each protects the bus and its other clients from one
// client: a client that exceeds one gets an error reply or is disconnected,
// never anyone else slowed down. Config.Limits overrides them (tests do, to
// reach a limit quickly); the zero Limits means these values.
const (
	// MaxMessageSize is the largest message the bus accepts: the D-Bus
	// specification's maximum, 128 MiB, counting the fixed header, the header
	// fields, their padding and the body. A client announcing more is
	// disconnected before the bus reads the rest.
	MaxMessageSize = 128 << 20

	// MaxHeaderFieldsSize caps the header-field array. The specification only
	// caps arrays at 64 MiB; real headers are a few hundred bytes, so 64 KiB
	// leaves room for long object paths and stops a client from making the
	// bus buffer megabytes before it can route anything.
	MaxHeaderFieldsSize = 64 << 10

	// MaxArraySize is the specification's limit on one array's length.
	MaxArraySize = 64 << 20

	// MaxUnixFDsPerMessage is how many file descriptors one message may carry.
	MaxUnixFDsPerMessage = 16

	// MaxConnectionsPerUID is how many authenticated connections one uid may
	// hold at once.
	MaxConnectionsPerUID = 2048

	// MaxIncompleteConnections is how many connections may be authenticating
	// at once; a new one pushes out the oldest, so half-open connections
	// cannot lock out a client that completes the handshake.
	MaxIncompleteConnections = 64

	// AuthTimeout is how long a client has from connecting to finishing
	// the SASL exchange (BEGIN).
	AuthTimeout = 5 * time.Second

	// MaxAuthRejects is how many rejected AUTH attempts a client gets before
	// it is disconnected.
	MaxAuthRejects = 6

	// MaxAuthLine is the longest SASL line the bus reads.
	MaxAuthLine = 16 << 10

	// MaxPendingCalls is how many method calls one connection may have
	// waiting for a reply through the bus.
	MaxPendingCalls = 1024

	// MaxMatchRules is how many match rules one connection may hold.
	MaxMatchRules = 512

	// MaxNamesPerConnection is how many well-known names one connection may
	// own or queue for.
	MaxNamesPerConnection = 512

	// MaxOutgoingBytes is how many bytes may wait in one connection's outgoing
	// queue. A client that stops reading the replies and signals it asked
	// for fills it and is disconnected; method calls to a full queue are
	// refused with LimitsExceeded instead, so that a flood of calls cannot
	// cost a busy service its connection. Senders never block. One message
	// larger than this is still delivered when the queue is empty.
	MaxOutgoingBytes = 32 << 20

	// MaxBytesPerUID is how much memory all the connections of one uid may
	// make the bus hold at once: their unfinished incoming messages plus
	// their outgoing queues. It bounds what a local user can make a root
	// bus allocate, whatever the number of connections; a connection that
	// would exceed it is treated as exceeding its own limit.
	MaxBytesPerUID = 256 << 20
)

// Limits overrides the bus's limits; a zero field means the constant of the
// same name.
type Limits struct {
	MaxMessageSize           int
	MaxUnixFDsPerMessage     int
	MaxConnectionsPerUID     int
	MaxIncompleteConnections int
	AuthTimeout              time.Duration
	MaxPendingCalls          int
	MaxMatchRules            int
	MaxNamesPerConnection    int
	MaxOutgoingBytes         int
	MaxBytesPerUID           int
}

// withDefaults returns l with every zero field set to its constant.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxMessageSize, MaxMessageSize)
	def(&l.MaxUnixFDsPerMessage, MaxUnixFDsPerMessage)
	def(&l.MaxConnectionsPerUID, MaxConnectionsPerUID)
	def(&l.MaxIncompleteConnections, MaxIncompleteConnections)
	def(&l.MaxPendingCalls, MaxPendingCalls)
	def(&l.MaxMatchRules, MaxMatchRules)
	def(&l.MaxNamesPerConnection, MaxNamesPerConnection)
	def(&l.MaxOutgoingBytes, MaxOutgoingBytes)
	def(&l.MaxBytesPerUID, MaxBytesPerUID)
	if l.AuthTimeout <= 0 {
		l.AuthTimeout = AuthTimeout
	}
	if l.MaxMessageSize > MaxMessageSize {
		l.MaxMessageSize = MaxMessageSize
	}
	return l
}

// A uidBudget counts the bytes one uid's connections hold in the bus
// (MaxBytesPerUID). Safe for concurrent use; a nil budget (a connection
// still authenticating) counts nothing.
type uidBudget struct{ bytes atomic.Int64 }

// take reserves n bytes, or reports false if that would pass limit.
func (b *uidBudget) take(n, limit int) bool {
	if b == nil || n <= 0 {
		return true
	}
	if b.bytes.Add(int64(n)) > int64(limit) {
		b.bytes.Add(-int64(n))
		return false
	}
	return true
}

// give returns n reserved bytes.
func (b *uidBudget) give(n int) {
	if b != nil && n > 0 {
		b.bytes.Add(-int64(n))
	}
}
