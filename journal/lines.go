package journal

import (
	"bytes"
	"io"
)

// lineSplitter cuts a byte stream into lines for sinks that take one message
// per line (syslog, journald). A line longer than max is sent in pieces of
// max bytes. It holds only the unfinished last line, and nothing once that
// line ends.
type lineSplitter struct {
	max     int
	emit    func(line []byte) error // one line, without its newline
	partial []byte                  // the start of an unfinished line
}

// write emits every complete line of p and keeps the rest. n counts the
// bytes of lines that were emitted or are kept; err is the last failure.
func (l *lineSplitter) write(p []byte) (n int, err error) {
	for len(p) > 0 {
		room := l.max - len(l.partial) // always > 0: partial stays below max
		i := bytes.IndexByte(p, '\n')
		switch {
		case i >= 0 && i <= room: // a line that fits ends here
			line := p[:i]
			if len(l.partial) > 0 {
				line = append(l.partial, line...)
			}
			n, err = l.send(line, i+1, n, err)
			p = p[i+1:]
		case i < 0 && len(p) < room: // unfinished, and it fits: keep it
			l.partial = append(l.partial, p...)
			return n + len(p), err
		default: // longer than max: send a piece of max bytes
			n, err = l.send(append(l.partial, p[:room]...), room, n, err)
			p = p[room:]
		}
	}
	return n, err
}

// send emits line, which took used bytes of the input, and forgets the
// partial line.
func (l *lineSplitter) send(line []byte, used, n int, err error) (int, error) {
	if e := l.emit(line); e != nil {
		err = e
	} else {
		n += used
	}
	if cap(l.partial) > 4096 {
		l.partial = nil // do not keep a large buffer for a quiet stream
	} else {
		l.partial = l.partial[:0]
	}
	return n, err
}

// flush emits the unfinished line, if any.
func (l *lineSplitter) flush() error {
	if len(l.partial) == 0 {
		return nil
	}
	line := l.partial
	l.partial = nil
	return l.emit(line)
}

// lastNewline returns the offset just after the last newline in the first
// size bytes of r, reading backwards at most maxScan bytes; -1 if there is
// none in that range.
func lastNewline(r io.ReaderAt, size, maxScan int64) (int64, error) {
	buf := getChunk()
	defer putChunk(buf)
	for end := size; end > 0 && size-end < maxScan; {
		start := max(0, end-int64(len(*buf)))
		b := (*buf)[:end-start]
		if _, err := r.ReadAt(b, start); err != nil && err != io.EOF {
			return -1, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return -1, nil
}
