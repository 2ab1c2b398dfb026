package bus

import (
	"bufio"
	"container/list"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// Config for a bus server.
type Config struct {
	// Path is the unix socket's path. Its directory is created if missing:
	// 0700 when Mode grants nothing to others (a user manager), else 0755.
	Path string
	// Mode is the socket's mode: 0600 for a user manager, 0666 for the root
	// manager, whose access is then decided per call by Policy. 0 means 0600.
	Mode os.FileMode
	// Policy decides who may own names, send and eavesdrop; nil means
	// DefaultPolicy(os.Getuid()).
	Policy Policy
	// Logf, if set, receives one line per dropped client or rejected
	// message. It may be called with the bus's locks held, so it must not
	// call back into the Server.
	Logf func(format string, args ...any)
	// Limits overrides the default limits (see the constants in limits.go).
	Limits Limits
}

// A Server is a D-Bus message bus on a unix socket.
type Server struct {
	// Set by Listen, immutable after.
	cfg    Config
	limits Limits
	policy Policy
	custom bool // policy is not the default one, so CanSend must be asked
	ln     *net.UnixListener
	guid   string

	serial atomic.Uint32 // serials of messages the bus itself sends
	nextID atomic.Uint64 // last unique-name number handed out

	mu       sync.RWMutex          // guards the registry below and conn fields marked srv.mu
	conns    map[string]*conn      // registered connections by unique name
	names    map[string]*owner     // well-known names with an owner or a queue
	matchers map[*conn]bool        // connections with match rules
	perUID   map[uint32]int        // authenticated connections per uid
	budgets  map[uint32]*uidBudget // bytes held per uid, while it has connections
	nwatch   atomic.Int32          // monitors and eavesdroppers, read without mu

	imu        sync.Mutex      // guards the fields below and conn.incomplete
	all        map[*conn]bool  // every live connection, for Close
	incomplete list.List       // connections still authenticating, oldest first
	fdWaiters  []chan struct{} // Serve waiting for a descriptor to free up
	closed     bool            // Close has run; no connection is accepted

	wg        sync.WaitGroup // one per connection goroutine and per running flusher
	closeOnce sync.Once
	done      chan struct{} // closed by Close, to stop Serve
}

// Listen creates the socket at cfg.Path and returns a server that accepts
// on it once Serve is called. A stale socket nobody listens on is replaced;
// a live one is an error.
func Listen(cfg Config) (*Server, error) {
	if cfg.Path == "" {
		return nil, errors.New("bus: no socket path")
	}
	if cfg.Mode == 0 {
		cfg.Mode = 0600
	}
	s := newServer(cfg)
	dirMode := os.FileMode(0755)
	if cfg.Mode&0077 == 0 {
		dirMode = 0700
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), dirMode); err != nil {
		return nil, fmt.Errorf("bus: create the socket's directory: %w", err)
	}
	if err := removeStale(cfg.Path); err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: cfg.Path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("bus: listen on %s: %w", cfg.Path, err)
	}
	if err := os.Chmod(cfg.Path, cfg.Mode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("bus: set the mode of %s: %w", cfg.Path, err)
	}
	s.ln = ln
	return s, nil
}

func newServer(cfg Config) *Server {
	s := &Server{
		cfg:      cfg,
		limits:   cfg.Limits.withDefaults(),
		policy:   cfg.Policy,
		conns:    map[string]*conn{},
		names:    map[string]*owner{},
		matchers: map[*conn]bool{},
		perUID:   map[uint32]int{},
		budgets:  map[uint32]*uidBudget{},
		all:      map[*conn]bool{},
		done:     make(chan struct{}),
	}
	if s.policy == nil {
		s.policy = DefaultPolicy(uint32(os.Getuid()))
	}
	_, isDefault := s.policy.(defaultPolicy)
	s.custom = !isDefault
	var id [16]byte
	rand.Read(id[:])
	s.guid = hex.EncodeToString(id[:])
	return s
}

// removeStale removes a socket at path that nobody listens on.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("bus: %s exists and is not a socket; remove it or choose another path", path)
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return fmt.Errorf("bus: a bus is already listening on %s", path)
	}
	return os.Remove(path)
}

// Address is the bus's D-Bus address, "unix:path=…,guid=…", for clients
// such as busctl --address, gdbus --address and DBUS_SESSION_BUS_ADDRESS.
func (s *Server) Address() string {
	return "unix:path=" + escapeAddress(s.cfg.Path) + ",guid=" + s.guid
}

// escapeAddress escapes a value for a D-Bus address: bytes outside
// [-0-9A-Za-z_/.\*] become %xx.
func escapeAddress(v string) string {
	const hexdigits = "0123456789abcdef"
	var b []byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isNameByte(c) || c == '-' || c == '/' || c == '.' || c == '\\' || c == '*' {
			b = append(b, c)
		} else {
			b = append(b, '%', hexdigits[c>>4], hexdigits[c&15])
		}
	}
	return string(b)
}

// Serve accepts connections until Close. Each connection gets one goroutine
// that authenticates it and routes what it sends. Serve returns nil after
// Close.
func (s *Server) Serve() error {
	for {
		nc, err := s.ln.AcceptUnix()
		if err != nil {
			select {
			case <-s.done:
				return nil
			default:
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				s.logf("bus: accept: %v; waiting for a connection to close", err)
				s.waitForFD()
				continue
			}
			return fmt.Errorf("bus: accept on %s: %w", s.cfg.Path, err)
		}
		s.accept(nc)
	}
}

// accept reads the peer's credentials and starts the connection's goroutine.
func (s *Server) accept(nc *net.UnixConn) {
	cred, err := connCred(nc)
	if err != nil {
		s.logf("bus: cannot read peer credentials: %v", err)
		nc.Close()
		return
	}
	s.startConn(nc, cred)
}

// startConn registers nc as an incomplete connection and serves it. When
// too many are authenticating, the oldest is dropped.
func (s *Server) startConn(nc *net.UnixConn, cred Cred) *conn {
	c, err := newConn(s, nc, cred)
	if err != nil {
		nc.Close()
		return nil
	}
	s.imu.Lock()
	if s.closed {
		s.imu.Unlock()
		nc.Close()
		return nil
	}
	s.all[c] = true
	c.incomplete = s.incomplete.PushBack(c)
	var victim *conn
	if s.incomplete.Len() > s.limits.MaxIncompleteConnections {
		victim = s.incomplete.Remove(s.incomplete.Front()).(*conn)
		victim.incomplete = nil
	}
	s.wg.Add(1)
	s.imu.Unlock()
	if victim != nil {
		s.logf("bus: more than %d connections authenticating; dropping the oldest (pid %d, uid %d)",
			s.limits.MaxIncompleteConnections, victim.cred.PID, victim.cred.UID)
		victim.close()
	}
	go c.serve()
	return c
}

func connCred(nc *net.UnixConn) (Cred, error) {
	raw, err := nc.SyscallConn()
	if err != nil {
		return Cred{}, err
	}
	var cred Cred
	var cerr error
	if err := raw.Control(func(fd uintptr) { cred, cerr = peerCred(int(fd)) }); err != nil {
		return Cred{}, err
	}
	return cred, cerr
}

// waitForFD pauses accepting until a connection goes away or the server
// closes, so that running out of descriptors does not spin.
func (s *Server) waitForFD() {
	s.imu.Lock()
	ch := make(chan struct{})
	s.fdWaiters = append(s.fdWaiters, ch)
	s.imu.Unlock()
	select {
	case <-ch:
	case <-s.done:
	}
}

// authenticated moves c from the incomplete list to the counted
// connections; it reports false if c's uid has too many connections.
func (s *Server) authenticated(c *conn) bool {
	s.imu.Lock()
	if c.incomplete != nil {
		s.incomplete.Remove(c.incomplete)
		c.incomplete = nil
	}
	s.imu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perUID[c.cred.UID] >= s.limits.MaxConnectionsPerUID {
		s.logf("bus: uid %d already has %d connections; refusing another (pid %d)",
			c.cred.UID, s.perUID[c.cred.UID], c.cred.PID)
		return false
	}
	s.perUID[c.cred.UID]++
	c.counted = true
	if s.budgets[c.cred.UID] == nil {
		s.budgets[c.cred.UID] = &uidBudget{}
	}
	c.budget = s.budgets[c.cred.UID]
	return true
}

// Close stops accepting, disconnects every client, waits for their
// goroutines and removes the socket.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		if s.ln != nil {
			err = s.ln.Close()
		}
		s.imu.Lock()
		s.closed = true
		all := make([]*conn, 0, len(s.all))
		for c := range s.all {
			all = append(all, c)
		}
		s.imu.Unlock()
		for _, c := range all {
			c.close()
		}
		s.wg.Wait()
	})
	return err
}

// logf logs through Config.Logf, if set.
func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Credentials returns the peer credentials of the connection that has the
// unique name uniqueName (or owns the well-known name), for per-call access
// checks.
func (s *Server) Credentials(uniqueName string) (Cred, bool) {
	s.mu.RLock()
	c := s.lookup(uniqueName)
	s.mu.RUnlock()
	if c == nil {
		return Cred{}, false
	}
	return c.fullCred(), true
}

// lookup resolves a unique or well-known name to its connection. s.mu must
// be held.
func (s *Server) lookup(name string) *conn {
	if len(name) > 0 && name[0] == ':' {
		return s.conns[name]
	}
	if o := s.names[name]; o != nil {
		return o.primary()
	}
	return nil
}

// Connect attaches an in-process client: a godbus connection over a
// socketpair, authenticated as this process's uid and already registered
// with Hello. It carries no file descriptors. Closing it disconnects it from
// the bus like any client.
func (s *Server) Connect() (*dbus.Conn, error) {
	server, client, err := socketPair()
	if err != nil {
		return nil, fmt.Errorf("bus: connect in-process client: %w", err)
	}
	cred := Cred{UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), PID: int32(os.Getpid())}
	if s.startConn(server, cred) == nil {
		client.Close()
		return nil, errors.New("bus: connect in-process client: the bus is closed")
	}
	rwc := bufferedConn{Reader: bufio.NewReader(client), UnixConn: client}
	dc, err := dbus.NewConn(rwc)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("bus: connect in-process client: %w", err)
	}
	if err := dc.Auth([]dbus.Auth{dbus.AuthExternal(strconv.Itoa(os.Getuid()))}); err != nil {
		dc.Close()
		return nil, fmt.Errorf("bus: in-process client: authenticate: %w", err)
	}
	if err := dc.Hello(); err != nil {
		dc.Close()
		return nil, fmt.Errorf("bus: in-process client: Hello: %w", err)
	}
	return dc, nil
}

// bufferedConn reads a socket through a buffer (godbus's generic transport
// decodes a message in many small reads) and writes it directly.
type bufferedConn struct {
	*bufio.Reader
	*net.UnixConn
}

func (b bufferedConn) Read(p []byte) (int, error) { return b.Reader.Read(p) }

// socketPair returns the two ends of a connected unix stream socket pair,
// close-on-exec so that children the manager spawns do not inherit them.
func socketPair() (*net.UnixConn, *net.UnixConn, error) {
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, nil, err
	}
	a, err := fileConn(fds[0])
	if err != nil {
		unix.Close(fds[1])
		return nil, nil, err
	}
	b, err := fileConn(fds[1])
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

func fileConn(fd int) (*net.UnixConn, error) {
	f := os.NewFile(uintptr(fd), "bus-socketpair")
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, err
	}
	return c.(*net.UnixConn), nil
}
