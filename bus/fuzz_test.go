package bus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// FuzzMessage feeds arbitrary bytes to the bus's framing and validation.
// Whatever passes must re-marshal to a message that parses to the same
// header, and must be decodable by godbus, which the bus trusts with
// validated messages only. The seed corpus in testdata/fuzz/FuzzMessage is
// real traffic from busctl, gdbus, dbus-send, python3-dbus and godbus
// (regenerate it with go test ./bus -run FuzzMessage -args -record-corpus).
func FuzzMessage(f *testing.F) {
	if *recordCorpus {
		recordRealTraffic(f)
	}
	f.Add(fixed('l', typeMethodCall, 0xFFFFFFFF, 1, 8))
	f.Add(finish(callTo("org.x.Y", "/"), nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < fixedHeaderLen {
			return
		}
		total, err := frameLen(b[:fixedHeaderLen], MaxMessageSize)
		if err != nil || total > len(b) {
			return
		}
		msg := b[:total]
		nfds, err := unixFDCount(msg)
		if err != nil || nfds > MaxUnixFDsPerMessage {
			return
		}
		h, off, err := parseMessage(msg, nfds)
		if err != nil {
			return
		}
		stringArgs(h.order, msg, off, h.sig, maxArgMatch)
		out := marshal(&h, msg[off:])
		h2, off2, err := parseMessage(out, nfds)
		if err != nil {
			t.Fatalf("re-marshalled message does not parse: %v", err)
		}
		h2.order, h.order = nil, nil
		if h != h2 || !bytes.Equal(msg[off:], out[off2:]) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", h, h2)
		}
		if h.typ > typeSignal {
			return // unknown types are never routed or decoded
		}
		if _, err := dbus.DecodeMessage(bytes.NewReader(out)); err != nil {
			t.Fatalf("godbus rejects a message the bus validated: %v", err)
		}
	})
}

// FuzzMatchRule checks that no rule text panics the parser, and that a rule
// that parses equals itself.
func FuzzMatchRule(f *testing.F) {
	for _, s := range []string{
		"type='signal',interface='org.example.I',member='M',arg0='x'",
		"sender='org.freedesktop.DBus',path_namespace='/org',arg0namespace='org.x',arg3path='/a/'",
		`arg1='it\'s',eavesdrop=true`, "type='bogus'", "arg64='x'", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseMatchRule(s)
		if err == nil && !r.equal(r) {
			t.Fatalf("rule %q is not equal to itself", s)
		}
	})
}

var recordCorpus = flag.Bool("record-corpus", false, "record real clients' messages into testdata/fuzz/FuzzMessage")

// recordRealTraffic runs the real clients through a recording proxy and
// writes every message they send as a seed for FuzzMessage.
func recordRealTraffic(t testing.TB) {
	s := testBus(t, Config{})
	svc := exportEcho(t, s)
	proxy := filepath.Join(filepath.Dir(s.cfg.Path), "proxy")
	rec := startRecorder(t, proxy, s.cfg.Path)
	addr := "unix:path=" + proxy
	runClient(t, "busctl", "--address="+addr, "call", svcName, svcPath, svcIface, "Echo", "s", "corpus")
	runClient(t, "busctl", "--address="+addr, "introspect", svcName, svcPath)
	runClient(t, "gdbus", "call", "--address", addr, "--dest", svcName, "--object-path", svcPath, "--method", svcIface+".Echo", "corpus")
	runClient(t, "dbus-send", "--bus="+addr, "--print-reply", "--dest="+svcName, svcPath, svcIface+".Echo", "string:corpus")
	py := startClient(t, "/usr/bin/python3", "-c", pythonClient, addr)
	py.waitOutput(t, "ready")
	svc.emit(t, "corpus")
	py.waitOutput(t, "signal: corpus")
	c, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Object(svcName, svcPath).Call(svcIface+".Echo", 0, map[string]dbus.Variant{"k": dbus.MakeVariant([]int32{1, 2})}) // fails (wrong args): only the bytes matter
	c.Close()
	msgs := rec.messages()
	for _, m := range msgs {
		if _, _, err := parseMessage(m, 0); err != nil {
			t.Errorf("a real client's message does not parse: %v\n%q", err, m)
		}
	}
	writeCorpus(t, "FuzzMessage", msgs)
	writeCorpus(t, "FuzzConn", rec.streams())
}

// writeCorpus writes each input as a seed file of the named fuzz target.
func writeCorpus(t testing.TB, target string, inputs [][]byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0755); err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		sum := sha256.Sum256(in)
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(in)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, "real-"+hex.EncodeToString(sum[:8])), []byte(body), 0644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("recorded %d seeds for %s", len(inputs), target)
}

// streams returns each client's whole byte stream, SASL included.
func (r *recorder) streams() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, s := range r.clients {
		out = append(out, bytes.Clone(s.Bytes()))
	}
	return out
}

// A recorder is a unix-socket proxy that keeps what clients send.
type recorder struct {
	mu      sync.Mutex
	clients []*bytes.Buffer
	wg      sync.WaitGroup
}

func startRecorder(t testing.TB, path, target string) *recorder {
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	t.Cleanup(func() { ln.Close(); r.wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("unix", target)
			if err != nil {
				c.Close()
				continue
			}
			buf := &bytes.Buffer{}
			r.mu.Lock()
			r.clients = append(r.clients, buf)
			r.mu.Unlock()
			r.wg.Add(2)
			go func() { defer r.wg.Done(); io.Copy(c, up); c.Close() }()
			go func() {
				defer r.wg.Done()
				b, _ := io.ReadAll(io.TeeReader(c, up))
				r.mu.Lock()
				buf.Write(b)
				r.mu.Unlock()
				up.Close()
			}()
		}
	}()
	return r
}

// messages splits the recorded streams into messages, after the SASL part.
func (r *recorder) messages() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, s := range r.clients {
		b := s.Bytes()
		i := bytes.Index(b, []byte("BEGIN\r\n"))
		if i < 0 {
			continue
		}
		for b = b[i+7:]; len(b) >= fixedHeaderLen; {
			n, err := frameLen(b[:fixedHeaderLen], MaxMessageSize)
			if err != nil || n > len(b) {
				break
			}
			out = append(out, b[:n])
			b = b[n:]
		}
	}
	return out
}

// FuzzConn feeds a whole client byte stream (SASL exchange and messages)
// to a connection of a live bus. The bus must neither panic nor hang: it
// reads the stream to its end (or gives up on it) and closes the
// connection, and another client is still served afterwards. The seeds are
// real clients' streams (see FuzzMessage for how to regenerate them).
func FuzzConn(f *testing.F) {
	f.Add([]byte("\x00AUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n"))
	f.Add([]byte("\x00AUTH EXTERNAL 30\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"))
	s := testBus(f, Config{Limits: Limits{AuthTimeout: 2 * time.Second}, Logf: func(string, ...any) {}})
	bystander := dial(f, s)
	self := Cred{UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), PID: int32(os.Getpid())}
	f.Fuzz(func(t *testing.T, stream []byte) {
		server, client, err := socketPair()
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		if s.startConn(server, self) == nil {
			t.Fatal("the bus is closed")
		}
		wrote := make(chan struct{})
		go func() {
			client.Write(stream) // fails once the bus has dropped the client
			client.CloseWrite()
			close(wrote)
		}()
		client.SetReadDeadline(time.Now().Add(patience))
		if _, err := io.Copy(io.Discard, client); err != nil && !isDisconnect(err) {
			t.Fatalf("the bus did not close the connection: %v", err)
		}
		client.Close()
		<-wrote
		if err := bystander.BusObject().Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
			t.Fatalf("bystander: %v", err)
		}
	})
}
