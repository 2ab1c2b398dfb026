package supervisord

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"svunit.dev/svunit/compat"
)

// logOption records one stdout_/stderr_ log option.
func (p *program) logOption(opt option, val string) error {
	stream, key, _ := strings.Cut(opt.key, "_")
	ls := &p.logs[0]
	if stream == "stderr" {
		ls = &p.logs[1]
	}
	switch key {
	case "logfile":
		t, err := logTarget(val, opt.here)
		if err != nil {
			return err
		}
		if strings.HasPrefix(t, "append:") && !filepath.IsAbs(val) {
			p.d.warnf(opt.pos, "%s=%s is relative: made absolute against %s, the directory of the file it is in", opt.key, opt.value, opt.here)
		}
		ls.target, ls.pos = t, opt.pos
	case "logfile_maxbytes":
		n, err := parseByteSize(val)
		if err != nil {
			return err
		}
		ls.maxBytes = &n
	case "logfile_backups":
		n, err := parseUint(val)
		if err != nil {
			return err
		}
		ls.backups = &n
	}
	return nil
}

// logTarget maps a Supervisor log file to a StandardOutput= value: AUTO is
// svunit's default (""), NONE is null, syslog is syslog, a path is appended.
func logTarget(val, here string) (string, error) {
	switch strings.ToLower(val) {
	case "auto":
		return "", nil
	case "none", "off":
		return "null", nil
	case "syslog":
		return "syslog", nil
	}
	path := val
	if !filepath.IsAbs(path) {
		path = filepath.Join(here, path)
	}
	v, err := compat.SystemdValue(filepath.Clean(path))
	if err != nil {
		return "", err
	}
	return "append:" + v, nil
}

// finishLogs writes StandardOutput=, StandardError= and the rotation
// settings. svunit rotates both streams with one LogMaxBytes= and
// LogBackups=, so differing stderr settings are reported.
func (p *program) finishLogs() {
	for i, key := range []string{"stdout_logfile", "stderr_logfile"} {
		p.logs[i].target = p.perInstance(key, p.logs[i])
	}
	out, errs := p.logs[0], p.logs[1]
	if out.target != "" {
		p.service = append(p.service, "StandardOutput="+out.target)
	}
	switch {
	case p.redirect:
		if errs.target != "" {
			p.d.warnf(errs.pos, "stderr_logfile is ignored with redirect_stderr=true, as in Supervisor")
		}
		p.service = append(p.service, "StandardError=inherit")
	case errs.target != "":
		if errs.target == out.target && strings.HasPrefix(out.target, "append:") {
			p.errorf(errs.pos, "stdout and stderr log to the same file; Supervisor refuses that too (use redirect_stderr=true)")
		}
		p.service = append(p.service, "StandardError="+errs.target)
	}
	if n := pickSetting(p, "logfile_maxbytes", out.maxBytes, errs.maxBytes); n != nil {
		p.service = append(p.service, "LogMaxBytes="+strconv.FormatInt(*n, 10))
	}
	if n := pickSetting(p, "logfile_backups", out.backups, errs.backups); n != nil {
		p.service = append(p.service, "LogBackups="+strconv.Itoa(*n))
	}
}

// perInstance returns ls's target, made one file per instance when the
// program is a template and the path does not use %(process_num): in
// Supervisor the processes would interleave their lines in one file and
// rotate it under each other; svunit refuses units that share a file.
func (p *program) perInstance(key string, ls logStream) string {
	path, ok := strings.CutPrefix(ls.target, "append:")
	if !ok || !p.exp.template || strings.Contains(path, instanceMark) {
		return ls.target
	}
	ext := filepath.Ext(path)
	if strings.Contains(ext, "/") {
		ext = ""
	}
	own := strings.TrimSuffix(path, ext) + "-" + instanceMark + ext
	p.d.warnf(ls.pos, "%s=%s would be shared by the %d processes: each instance writes its own file, %s",
		key, path, p.instances, strings.ReplaceAll(own, instanceMark, "%i"))
	return "append:" + own
}

// pickSetting returns stdout's setting, else stderr's, and warns when both
// are set and differ.
func pickSetting[T comparable](p *program, name string, out, errs *T) *T {
	if out != nil && errs != nil && *out != *errs {
		p.d.warnf(p.sec.pos, "stdout_%s=%v and stderr_%s=%v differ: svunit rotates both streams alike; the unit uses stdout's", name, *out, name, *errs)
	}
	if out != nil {
		return out
	}
	return errs
}

// shlexSplit splits a command as Python's shlex.split does (POSIX mode):
// words separated by white space; single quotes keep everything; double
// quotes keep everything but \" and \\; a backslash outside quotes escapes
// the next character.
func shlexSplit(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case c == '\\':
			if i+1 == len(s) {
				return nil, fmt.Errorf("no character after the final backslash")
			}
			i++
			w.WriteByte(s[i])
			inWord = true
		case c == '\'' || c == '"':
			end, err := closeQuote(s, i, &w)
			if err != nil {
				return nil, err
			}
			i, inWord = end, true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// closeQuote copies the quoted text that starts at s[open] into w and
// returns the index of the closing quote.
func closeQuote(s string, open int, w *strings.Builder) (int, error) {
	q := s[open]
	for i := open + 1; i < len(s); i++ {
		switch {
		case s[i] == q:
			return i, nil
		case q == '"' && s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			i++
			w.WriteByte(s[i])
		default:
			w.WriteByte(s[i])
		}
	}
	return 0, fmt.Errorf("no closing %c quotation in %q", q, s)
}

// parseEnvironment reads KEY=value,KEY2="value, with comma" the way
// Supervisor does (Python's shlex in its non-POSIX mode): words are letters,
// digits and _/.+-():, a quoted string is one word whose outer quotes are
// removed, and pairs are separated by commas.
func parseEnvironment(s string) ([][2]string, error) {
	toks, err := envTokens(s)
	if err != nil {
		return nil, err
	}
	var pairs [][2]string
	for i := 0; i < len(toks); i += 4 {
		if i+2 >= len(toks) || toks[i+1] != "=" || (i+3 < len(toks) && toks[i+3] != ",") {
			return nil, fmt.Errorf("want KEY=value pairs separated by commas in %q (quote values that hold other characters)", s)
		}
		pairs = append(pairs, [2]string{toks[i], strings.Trim(toks[i+2], `'"`)})
	}
	return pairs, nil
}

// envTokens splits s into shlex's non-POSIX tokens.
func envTokens(s string) ([]string, error) {
	isWord := func(c byte) bool {
		return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/.+-():", c) >= 0
	}
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("no closing %c quotation in %q", c, s)
			}
			toks = append(toks, s[i:i+end+2])
			i += end + 2
		case isWord(c):
			j := i
			for j < len(s) && isWord(s[j]) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			toks = append(toks, string(c))
			i++
		}
	}
	return toks, nil
}
