package bus

import (
	"fmt"
	"strconv"
	"strings"
)

// maxArgMatch is the highest N of an argN key plus one (the specification
// allows arg0 to arg63).
const maxArgMatch = 64

// A matchRule is a parsed AddMatch rule. Empty fields match anything.
type matchRule struct {
	typ       byte // 0 or a message type
	sender    string
	iface     string
	member    string
	path      string
	pathNS    string
	dest      string
	args      []argMatch
	eavesdrop bool
}

// argKind tells how an argN key compares.
type argKind byte

const (
	argEqual     argKind = iota // argN='v'
	argPath                     // argNpath='v'
	argNamespace                // arg0namespace='v'
)

// An argMatch is one argN key. argN and arg0namespace compare string
// arguments; argNpath compares strings and object paths.
type argMatch struct {
	n    int
	kind argKind
	val  string
}

// parseMatchRule parses a match rule: comma-separated key='value' pairs.
// Inside quotes a backslash is literal; outside, \' is a literal quote.
func parseMatchRule(text string) (*matchRule, error) {
	r := &matchRule{}
	seen := map[string]bool{}
	for rest := strings.TrimSpace(text); rest != ""; {
		key, value, tail, err := nextMatchPair(rest)
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		if err := r.set(key, value); err != nil {
			return nil, err
		}
		rest = tail
	}
	if r.pathNS != "" && r.path != "" {
		return nil, fmt.Errorf("path and path_namespace exclude each other")
	}
	return r, nil
}

// nextMatchPair splits the first key='value' off s.
func nextMatchPair(s string) (key, value, rest string, err error) {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 {
		return "", "", "", fmt.Errorf("expected key=value at %.40q", s)
	}
	key = strings.TrimSpace(s[:eq])
	var b strings.Builder
	i, quoted := eq+1, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case quoted:
			b.WriteByte(c)
		case c == '\\' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == ',':
			return key, b.String(), strings.TrimSpace(s[i+1:]), nil
		default:
			b.WriteByte(c)
		}
	}
	if quoted {
		return "", "", "", fmt.Errorf("unterminated quote in the value of %q", key)
	}
	return key, b.String(), "", nil
}

var matchTypes = map[string]byte{
	"method_call": typeMethodCall, "method_return": typeMethodReply, "error": typeError, "signal": typeSignal,
}

func (r *matchRule) set(key, v string) error {
	ok := true
	switch key {
	case "type":
		r.typ, ok = matchTypes[v]
	case "sender":
		r.sender, ok = v, validBusName(v) || v == busName
	case "interface":
		r.iface, ok = v, validInterface(v)
	case "member":
		r.member, ok = v, validMember(v)
	case "path":
		r.path, ok = v, validPath(v)
	case "path_namespace":
		r.pathNS, ok = v, validPath(v)
	case "destination":
		r.dest, ok = v, validBusName(v)
	case "eavesdrop":
		r.eavesdrop, ok = v == "true", v == "true" || v == "false"
	default:
		return r.setArg(key, v)
	}
	if !ok {
		return fmt.Errorf("invalid value %q for %s", v, key)
	}
	return nil
}

func (r *matchRule) setArg(key, v string) error {
	if !strings.HasPrefix(key, "arg") {
		return fmt.Errorf("unknown key %q", key)
	}
	digits, kind := key[3:], argEqual
	if d, ok := strings.CutSuffix(digits, "path"); ok {
		digits, kind = d, argPath
	} else if d, ok := strings.CutSuffix(digits, "namespace"); ok {
		digits, kind = d, argNamespace
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || n >= maxArgMatch || (digits != "0" && digits[0] == '0') {
		return fmt.Errorf("unknown key %q", key)
	}
	if kind == argNamespace && n != 0 {
		return fmt.Errorf("only arg0namespace is allowed, not %q", key)
	}
	for _, a := range r.args {
		if a.n == n {
			return fmt.Errorf("argument %d is matched twice", n)
		}
	}
	r.args = append(r.args, argMatch{n: n, kind: kind, val: v})
	return nil
}

// equal reports whether r and o are the same rule, for RemoveMatch.
func (r *matchRule) equal(o *matchRule) bool {
	if r.typ != o.typ || r.sender != o.sender || r.iface != o.iface || r.member != o.member ||
		r.path != o.path || r.pathNS != o.pathNS || r.dest != o.dest || r.eavesdrop != o.eavesdrop ||
		len(r.args) != len(o.args) {
		return false
	}
	for _, a := range r.args {
		found := false
		for _, b := range o.args {
			found = found || a == b
		}
		if !found {
			return false
		}
	}
	return true
}

// routed is a message on its way through the bus, as match rules see it.
type routed struct {
	h      *header
	from   *conn // nil for the bus itself
	msg    []byte
	body   int      // offset of the body in msg
	args   []string // string arguments, decoded on first use
	parsed bool
}

// arg returns string argument n and its type code ('s' or 'o'), or false
// if argument n is missing or of another type.
func (m *routed) arg(n int) (string, byte, bool) {
	if !m.parsed {
		m.parsed = true
		if m.msg != nil {
			m.args = stringArgs(m.h.order, m.msg, m.body, m.h.sig, maxArgMatch)
		}
	}
	if n >= len(m.args) {
		return "", 0, false
	}
	typ := argType(m.h.sig, n)
	return m.args[n], typ, typ == 's' || typ == 'o'
}

// argType is the type code of argument n of signature sig, or 0.
func argType(sig string, n int) byte {
	for i, k := 0, 0; i < len(sig); k++ {
		if k == n {
			return sig[i]
		}
		i = typeEnd(sig, i)
	}
	return 0
}

// matches reports whether r selects m. eavesdropping is true when m is
// addressed to another connection; only eavesdrop rules see those. s.mu
// must be held (a well-known sender is resolved through the registry).
func (s *Server) matches(r *matchRule, m *routed, eavesdropping bool) bool {
	h := m.h
	if eavesdropping && !r.eavesdrop {
		return false
	}
	if r.typ != 0 && r.typ != h.typ ||
		r.iface != "" && r.iface != h.iface ||
		r.member != "" && r.member != h.member ||
		r.path != "" && r.path != h.path ||
		r.dest != "" && r.dest != h.dest {
		return false
	}
	if r.pathNS != "" && !inNamespace(h.path, r.pathNS) {
		return false
	}
	if r.sender != "" && r.sender != h.sender {
		if r.sender[0] == ':' || m.from == nil || s.lookup(r.sender) != m.from {
			return false
		}
	}
	for _, a := range r.args {
		v, typ, ok := m.arg(a.n)
		if !ok || typ == 'o' && a.kind != argPath || !a.matches(v) {
			return false
		}
	}
	return true
}

func inNamespace(path, ns string) bool {
	return ns == "/" || path == ns || strings.HasPrefix(path, ns) && len(path) > len(ns) && path[len(ns)] == '/'
}

func (a argMatch) matches(v string) bool {
	switch a.kind {
	case argPath:
		return v == a.val ||
			strings.HasSuffix(a.val, "/") && strings.HasPrefix(v, a.val) ||
			strings.HasSuffix(v, "/") && strings.HasPrefix(a.val, v)
	case argNamespace:
		return v == a.val || strings.HasPrefix(v, a.val) && len(v) > len(a.val) && v[len(a.val)] == '.'
	}
	return v == a.val
}
