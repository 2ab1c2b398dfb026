package bus

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// maxAuthLine is the longest SASL line the bus accepts; real clients send
// lines of a few dozen bytes.
const maxAuthLine = 1024

// authState is where a connection is in the SASL exchange.
type authState int

const (
	authWaitAuth  authState = iota // expecting AUTH
	authWaitData                   // sent DATA, expecting the client's DATA
	authWaitBegin                  // sent OK, expecting NEGOTIATE_UNIX_FD or BEGIN
)

var errAuthGaveUp = errors.New("too many rejected authentication attempts")

// authenticate runs the server side of the SASL exchange: a NUL byte, then
// AUTH EXTERNAL with the uid the kernel reports for the peer (sent as the
// initial response or in DATA), optionally NEGOTIATE_UNIX_FD, then BEGIN.
// Bytes that follow BEGIN stay in c.rbuf as the start of the first message.
func (c *conn) authenticate(timeout time.Duration) error {
	timer := time.AfterFunc(timeout, func() {
		c.srv.logf("bus: pid %d uid %d did not authenticate within %v; disconnecting", c.cred.PID, c.cred.UID, timeout)
		c.nc.Close()
	})
	defer timer.Stop()
	for c.w == c.r {
		if err := c.fill(); err != nil {
			return err
		}
	}
	if c.rbuf[c.r] != 0 {
		return errors.New("authentication did not start with a NUL byte")
	}
	c.r++
	state, rejects := authWaitAuth, 0
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		cmd, arg, _ := bytes.Cut(line, []byte(" "))
		var reply string
		state, reply, err = c.authStep(state, string(cmd), arg)
		if err != nil {
			return err
		}
		if len(reply) > 8 && reply[:8] == "REJECTED" {
			if rejects++; rejects >= MaxAuthRejects {
				c.nc.Write([]byte(reply))
				return errAuthGaveUp
			}
		}
		if reply == "" { // BEGIN
			return nil
		}
		if _, err := c.nc.Write([]byte(reply)); err != nil {
			return err
		}
	}
}

const rejected = "REJECTED EXTERNAL\r\n"

// authStep handles one SASL command and returns the next state and the
// reply line ("" after BEGIN).
func (c *conn) authStep(state authState, cmd string, arg []byte) (authState, string, error) {
	switch cmd {
	case "AUTH":
		if state == authWaitBegin {
			return authWaitAuth, rejected, nil
		}
		mech, initial, hasInitial := bytes.Cut(arg, []byte(" "))
		if string(mech) != "EXTERNAL" {
			return authWaitAuth, rejected, nil
		}
		if !hasInitial {
			return authWaitData, "DATA\r\n", nil
		}
		return c.checkExternal(initial)
	case "DATA":
		if state != authWaitData {
			return state, "ERROR \"DATA not expected\"\r\n", nil
		}
		return c.checkExternal(arg)
	case "CANCEL", "ERROR":
		return authWaitAuth, rejected, nil
	case "NEGOTIATE_UNIX_FD":
		if state != authWaitBegin {
			return state, "ERROR \"NEGOTIATE_UNIX_FD before OK\"\r\n", nil
		}
		c.unixFD = true
		return state, "AGREE_UNIX_FD\r\n", nil
	case "BEGIN":
		if state != authWaitBegin {
			return state, "", errors.New("BEGIN before authentication succeeded")
		}
		return state, "", nil
	}
	return state, "ERROR \"unknown command\"\r\n", nil
}

// checkExternal accepts the EXTERNAL identity (hex-encoded decimal uid) if
// it is empty or names the uid the kernel reported for the peer.
func (c *conn) checkExternal(identity []byte) (authState, string, error) {
	if len(identity) > 0 {
		dec, err := hex.DecodeString(string(identity))
		if err != nil {
			return authWaitAuth, rejected, nil
		}
		uid, err := strconv.ParseUint(string(dec), 10, 32)
		if err != nil || uint32(uid) != c.cred.UID {
			c.srv.logf("bus: pid %d is uid %d but claimed %q; rejected", c.cred.PID, c.cred.UID, dec)
			return authWaitAuth, rejected, nil
		}
	}
	return authWaitBegin, fmt.Sprintf("OK %s\r\n", c.srv.guid), nil
}

// readLine returns the next CRLF-terminated line without its terminator.
func (c *conn) readLine() ([]byte, error) {
	for {
		if i := bytes.Index(c.rbuf[c.r:c.w], []byte("\r\n")); i >= 0 {
			line := c.rbuf[c.r : c.r+i]
			c.r += i + 2
			return line, nil
		}
		if c.w-c.r >= maxAuthLine {
			return nil, fmt.Errorf("authentication line longer than %d bytes", maxAuthLine)
		}
		if c.r > 0 {
			c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
			c.r = 0
		}
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
}
