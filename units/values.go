package units

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// parseBool accepts systemd's spellings of a boolean.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "yes", "y", "true", "t", "on":
		return true, nil
	case "0", "no", "n", "false", "f", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (write yes or no)", s)
}

// timeUnits are systemd's time-span suffixes (systemd.time(7)).
var timeUnits = map[string]time.Duration{
	"us": time.Microsecond, "usec": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "msec": time.Millisecond,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	"M": 2629800 * time.Second, "month": 2629800 * time.Second, "months": 2629800 * time.Second,
	"y": 31557600 * time.Second, "year": 31557600 * time.Second, "years": 31557600 * time.Second,
}

// parseTimeSpan parses a systemd time span: "5s", "1min 30s", "1h30m",
// "1.5s", "infinity"; a bare number is seconds.
func parseTimeSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" {
		return Infinity, nil
	}
	if s == "" {
		return 0, fmt.Errorf("empty time span (write e.g. 5s, 1min 30s or infinity)")
	}
	var total float64
	for rest := s; rest != ""; rest = strings.TrimLeft(rest, " \t") {
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i < 0 {
			i = len(rest)
		}
		num, err := strconv.ParseFloat(rest[:i], 64)
		if i == 0 || err != nil || num < 0 {
			return 0, fmt.Errorf("%q is not a time span (write e.g. 5s, 1min 30s, 100ms or infinity)", s)
		}
		rest = strings.TrimLeft(rest[i:], " \t")
		j := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' || (r >= '0' && r <= '9') })
		if j < 0 {
			j = len(rest)
		}
		unit := time.Second
		if j > 0 {
			u, ok := timeUnits[rest[:j]]
			if !ok {
				return 0, fmt.Errorf("%q: unknown time unit %q (use us, ms, s, min, h, d, w)", s, rest[:j])
			}
			unit = u
		}
		total += num * float64(unit)
		rest = rest[j:]
	}
	if total >= math.MaxInt64 {
		return 0, fmt.Errorf("time span %q is too long (write infinity for no limit)", s)
	}
	return time.Duration(total), nil
}

// ParseSignal parses a signal as unit files write it: "SIGTERM", "TERM",
// "15", "SIGRTMIN+2". The CLI uses it too, so a signal reads the same
// everywhere.
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("signal number %d is out of range (1-64)", n)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	if sig, ok := realtimeSignal(name); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("%q is not a signal (write a name such as SIGTERM or a number)", s)
}

// realtimeSignal parses SIGRTMIN, SIGRTMIN+N, SIGRTMAX and SIGRTMAX-N with
// glibc's Linux values (34 and 64).
func realtimeSignal(name string) (syscall.Signal, bool) {
	base, sign, rest := 0, 1, ""
	switch {
	case strings.HasPrefix(name, "SIGRTMIN"):
		base, rest = 34, strings.TrimPrefix(name, "SIGRTMIN")
	case strings.HasPrefix(name, "SIGRTMAX"):
		base, sign, rest = 64, -1, strings.TrimPrefix(name, "SIGRTMAX")
	default:
		return 0, false
	}
	n := 0
	if rest != "" {
		if (sign > 0 && rest[0] != '+') || (sign < 0 && rest[0] != '-') {
			return 0, false
		}
		var err error
		if n, err = strconv.Atoi(rest[1:]); err != nil || n < 0 || n > 30 {
			return 0, false
		}
	}
	return syscall.Signal(base + sign*n), true
}

// parseExitStatus parses a list such as "0 2 SIGKILL 143" into codes and
// signals. Signals must be written by name (as systemd requires).
func parseExitStatus(s string) (ExitStatusSet, error) {
	var set ExitStatusSet
	for _, w := range strings.Fields(s) {
		if n, err := strconv.Atoi(w); err == nil {
			if n < 0 || n > 255 {
				return set, fmt.Errorf("exit status %d is out of range (0-255)", n)
			}
			set.Codes = append(set.Codes, n)
			continue
		}
		sig, err := ParseSignal(w)
		if err != nil {
			return set, fmt.Errorf("%q is neither an exit status (0-255) nor a signal name", w)
		}
		set.Signals = append(set.Signals, sig)
	}
	return set, nil
}

// parseSize parses a byte count with an optional 1024-based suffix: "512",
// "64K", "50M", "1G", "1T".
func parseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "B")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K', 'k':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:len(t)-1]
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size (write bytes, or a number with K, M, G or T, e.g. 50M)", s)
	}
	return n * mult, nil
}

// parseUMask parses an octal mode such as 0022.
func parseUMask(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("%q is not an octal umask (write e.g. 0022)", s)
	}
	return uint32(n), nil
}

// parseInt parses a decimal integer within [lo, hi].
func parseInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a whole number from %d to %d", s, lo, hi)
	}
	return n, nil
}

// rlimits maps Limit*= names to how their values read: 'b' bytes (size
// suffixes), 't' CPU seconds (time span), 'u' µs (time span), 'n' number. The
// resource each one sets is in rlimitResources, per OS.
var rlimits = map[string]byte{
	"LimitCPU": 't', "LimitFSIZE": 'b', "LimitDATA": 'b', "LimitSTACK": 'b', "LimitCORE": 'b', "LimitRSS": 'b',
	"LimitNOFILE": 'n', "LimitAS": 'b', "LimitNPROC": 'n', "LimitMEMLOCK": 'b', "LimitLOCKS": 'n',
	"LimitSIGPENDING": 'n', "LimitMSGQUEUE": 'b', "LimitNICE": 'n', "LimitRTPRIO": 'n', "LimitRTTIME": 'u',
}

// parseRlimit parses "N" (soft and hard) or "SOFT:HARD" for directive name.
func parseRlimit(name, s string) (Rlimit, error) {
	kind := rlimits[name]
	resource, ok := rlimitResources[name]
	if !ok {
		return Rlimit{}, fmt.Errorf("%s is not available on %s (remove it from this unit)", name, runtime.GOOS)
	}
	one := func(v string) (uint64, error) {
		v = strings.TrimSpace(v)
		if v == "infinity" {
			return unix.RLIM_INFINITY, nil
		}
		switch kind {
		case 'b':
			n, err := parseSize(v)
			return uint64(n), err
		case 't', 'u':
			d, err := parseTimeSpan(v)
			if kind == 't' {
				return uint64(d / time.Second), err
			}
			return uint64(d / time.Microsecond), err
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number or infinity", v)
		}
		return n, nil
	}
	soft, hard, split := strings.Cut(s, ":")
	cur, err := one(soft)
	if err != nil {
		return Rlimit{}, err
	}
	max := cur
	if split {
		if max, err = one(hard); err != nil {
			return Rlimit{}, err
		}
		if cur > max {
			return Rlimit{}, fmt.Errorf("soft limit %s is above the hard limit %s (write SOFT:HARD with SOFT <= HARD)", soft, hard)
		}
	}
	return Rlimit{Resource: resource, Cur: cur, Max: max}, nil
}
