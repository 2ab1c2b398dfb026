package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"svunit.dev/svunit/units/manager"
)

// Config configures an API.
type Config struct {
	Manager *manager.Manager
	Logf    func(format string, args ...any) // where the API logs what no caller sees; nil = nowhere
	Access  Access                           // who may do what, per call (see access.go); nil = everyone everything
	Version string                           // what the Version properties say; "" = "svunit"
}

// An API exports one manager on one or more bus connections.
type API struct {
	m       *manager.Manager
	logf    func(format string, args ...any)
	access  Access    // set by New, then read-only
	version string    // set by New, then read-only
	started time.Time // when New ran, about when the daemon started; read-only

	mu      sync.Mutex                     // guards the fields below
	conns   []*dbus.Conn                   // where signals go
	subs    map[*dbus.Conn]map[string]bool // callers of Subscribe, by connection and unique name
	shared  map[*dbus.Conn]bool            // connections to a shared bus (Join), see shared.go
	holdSeq uint64                         // the last sequence number given to a job-creating call
	holding map[uint64]bool                // job-creating calls that have not registered their jobs yet, by sequence
	unsent  map[uint32]bool                // jobs whose creating call has not replied yet
	parked  []parkedEvent                  // JobRemoved events held back until their job's reply is out
	closed  bool

	jobs jobIndex // pending jobs, kept by the pump

	ctx    context.Context // ends at Close: long-running work (log streams) watches it
	cancel context.CancelFunc

	wake chan struct{} // pokes the pump to emit parked events; buffered, never blocks
	done chan struct{} // closed by Close
	wg   sync.WaitGroup
}

// New returns an API for cfg.Manager and starts the goroutine that turns the
// manager's events into signals. Connect it to a bus with Dial or Serve.
func New(cfg Config) (*API, error) {
	if cfg.Manager == nil {
		return nil, errors.New("api: Config.Manager is nil")
	}
	a := &API{m: cfg.Manager, logf: cfg.Logf, access: cfg.Access, unsent: map[uint32]bool{}, holding: map[uint64]bool{}, subs: map[*dbus.Conn]map[string]bool{}, shared: map[*dbus.Conn]bool{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	a.version = pick(cfg.Version, "svunit")
	a.started = time.Now()
	a.ctx, a.cancel = context.WithCancel(context.Background())
	if a.logf == nil {
		a.logf = func(string, ...any) {}
	}
	sub := a.m.Subscribe()
	a.jobs.reset(a.m.Jobs())
	a.wg.Add(1)
	go a.pump(sub)
	return a, nil
}

// Handler returns the godbus handler that serves the API's objects. A
// connection passed to Serve must have been made with
// dbus.WithHandler(a.Handler()).
func (a *API) Handler() dbus.Handler { return handler{a} }

// Dial connects to the bus at address (a D-Bus address such as
// "unix:path=/run/svunit/bus"), authenticates, and serves the API there
// under names.
func (a *API) Dial(address string, names ...string) (*dbus.Conn, error) {
	conn, err := dbus.Connect(address, dbus.WithHandler(a.Handler()))
	if err != nil {
		return nil, fmt.Errorf("api: connect to %s: %w", address, err)
	}
	if err := a.Serve(conn, names...); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// Serve requests names on conn and sends the API's signals there until
// Close. It fails when a name is owned by someone else: two managers
// answering for one name would confuse every client.
func (a *API) Serve(conn *dbus.Conn, names ...string) error {
	for _, n := range names {
		r, err := conn.RequestName(n, dbus.NameFlagDoNotQueue)
		if err != nil {
			return fmt.Errorf("api: request name %s: %w", n, err)
		}
		if r != dbus.RequestNameReplyPrimaryOwner && r != dbus.RequestNameReplyAlreadyOwner {
			return fmt.Errorf("api: the name %s is already owned on this bus: is another svunit daemon (or systemd) serving it?", n)
		}
	}
	left, err := watchLeaving(conn)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		conn.RemoveSignal(left)
		return errors.New("api: closed")
	}
	a.conns = append(a.conns, conn)
	a.wg.Add(1)
	go a.watchSubscribers(conn, left)
	return nil
}

// Close stops the signal pump and closes the connections Serve was given.
func (a *API) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	conns := a.conns
	a.conns = nil
	a.mu.Unlock()
	close(a.done)
	a.cancel()
	for _, c := range conns {
		c.Close()
	}
	a.wg.Wait()
	return nil
}

// emit sends a signal on every connection. A failed send is logged: a
// client missing one signal must not stop the others getting theirs.
func (a *API) emit(path dbus.ObjectPath, name string, values ...any) {
	a.mu.Lock()
	conns := a.conns
	a.mu.Unlock()
	a.emitOn(conns, path, name, values...)
}

// emitUnit sends a unit signal on the connections that have subscribers
// (see subscribers.go).
func (a *API) emitUnit(path dbus.ObjectPath, name string, values ...any) {
	a.emitOn(a.subscribedConns(), path, name, values...)
}

func (a *API) emitOn(conns []*dbus.Conn, path dbus.ObjectPath, name string, values ...any) {
	for _, c := range conns {
		if err := c.Emit(path, name, values...); err != nil {
			a.logf("api: emit %s on %s: %v", name, path, err)
		}
	}
}

func (a *API) poke() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}
