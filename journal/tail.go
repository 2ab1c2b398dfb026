package journal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"slices"
)

// tailMax bounds how far back Tail reads, so that a file without newlines
// cannot make it read gigabytes: the first line it returns is then cut.
const tailMax = 64 << 20

// followLineMax bounds a line Follow holds while waiting for its end; a
// longer one is written in pieces.
const followLineMax = 1 << 20

// Tail returns the last n lines of the file at path, without their
// newlines, from its last 64 MiB at most. An unfinished last line counts as
// a line. When the file holds fewer than n lines (it was just rotated), the
// rest comes from its newest backups, PATH.1, PATH.2… A missing file reads
// as empty: svunit creates a log file on its first bytes.
func Tail(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lines, _, err := lastLines(f, n)
	if err != nil {
		return nil, err
	}
	return withBackups(path, lines, n), nil
}

// withBackups puts lines from path's newest backups before lines until
// there are n, or no more backups.
func withBackups(path string, lines []string, n int) []string {
	for i := 1; len(lines) < n && i <= maxBackupScan; i++ {
		f, err := os.Open(backupName(path, i))
		if err != nil {
			break
		}
		older, _, err := lastLines(f, n-len(lines))
		f.Close()
		if err != nil {
			break
		}
		lines = append(older, lines...)
	}
	return lines
}

// lastLines returns the last n lines of f and the offset where the last
// complete line ends: what follows it is an unfinished line.
func lastLines(f *os.File, n int) ([]string, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := fi.Size()
	if n <= 0 {
		// Only where the last complete line ends: an unfinished line is
		// followed from its start, unless it is already very long.
		nl, err := lastNewline(f, size, followLineMax)
		if nl < 0 {
			nl = max(0, size-followLineMax)
		}
		return nil, nl, err
	}
	// Read backwards, a chunk at a time, until the chunks hold n newlines
	// before the file's last byte.
	var chunks [][]byte // newest first
	newlines, start := 0, size
	for start > 0 && newlines < n && size-start < tailMax {
		from := max(0, start-chunkSize)
		b := make([]byte, start-from)
		if _, err := f.ReadAt(b, from); err != nil && err != io.EOF {
			return nil, 0, err
		}
		c := bytes.Count(b, []byte{'\n'})
		if start == size && b[len(b)-1] == '\n' {
			c-- // the newline that ends the last line opens no new one
		}
		chunks, newlines, start = append(chunks, b), newlines+c, from
	}
	slices.Reverse(chunks)
	data := bytes.Join(chunks, nil)
	end := start
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		end = start + int64(i) + 1
	}
	lines := splitLines(string(data))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, end, nil
}

// splitLines splits s at newlines; a final newline ends the last line
// rather than starting an empty one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	var lines []string
	for s != "" {
		i := indexNL(s)
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i])
		s = s[i+1:]
	}
	return lines
}

func indexNL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return i
		}
	}
	return -1
}

// Follow writes the lines appended to the file at path to w as they come,
// like tail -F: it follows the name across rotations, truncation and
// removal, and waits for the file to appear. It writes whole lines only and
// returns nil when ctx is done, or the first error of w.
func Follow(ctx context.Context, path string, w io.Writer) error {
	return FollowLines(ctx, path, 0, w)
}

// FollowLines writes the last n lines of the file at path to w, then
// follows it as Follow does, with nothing lost or repeated in between.
func FollowLines(ctx context.Context, path string, n int, w io.Writer) error {
	wt, err := newWatcher(path)
	if err != nil {
		return err
	}
	defer wt.close()
	fl := &follower{path: path, w: w}
	defer fl.closeFile()
	if err := fl.start(n); err != nil {
		return err
	}
	for {
		if err := fl.catchUp(); err != nil {
			return err
		}
		if err := wt.wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// follower is FollowLines' state; it is used by one goroutine.
type follower struct {
	path    string
	w       io.Writer
	f       *os.File // the file being read; nil while the path is missing
	emitted int64    // offset in f after the last line written to w
	partial []byte   // bytes after emitted: an unfinished line
}

func (fl *follower) start(n int) error {
	f, err := os.Open(fl.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fl.f = f
	// One line more, in case the last is unfinished: it is not shown now
	// but written whole once it ends.
	lines, end, err := lastLines(f, n+1)
	if err != nil {
		return err
	}
	fl.emitted = end
	if end < fileSize(f) && len(lines) > 0 {
		lines = lines[:len(lines)-1]
	}
	lines = withBackups(fl.path, lines[max(0, len(lines)-n):], n)
	for _, l := range lines {
		if _, err := io.WriteString(fl.w, l+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// catchUp writes what was appended, then switches to a new file at the path
// once the old one is read to its end.
func (fl *follower) catchUp() error {
	for {
		if fl.f != nil {
			if err := fl.drain(); err != nil {
				return err
			}
		}
		nf, err := os.Open(fl.path)
		if errors.Is(err, os.ErrNotExist) {
			return nil // removed: keep what we have, wait for a new file
		}
		if err != nil {
			return err
		}
		if fl.f != nil && sameFile(fl.f, nf) {
			nf.Close()
			return nil
		}
		// Rotated or replaced. Drain the old file once more: it may have
		// changed between the drain above and the rename (svunit truncates
		// a carried line away before renaming). Then read the backups
		// that came after it, if we fell behind by more than one
		// rotation, then the new file.
		if fl.f != nil {
			if err := fl.drain(); err != nil {
				nf.Close()
				return err
			}
		}
		for _, f := range fl.between(nf) {
			fl.switchTo(f)
			if err := fl.drain(); err != nil {
				nf.Close()
				return err
			}
		}
		fl.switchTo(nf)
	}
}

// switchTo makes f the file being read. An unfinished line the old file
// ended with (a line cut at the size limit) goes on in f, so it is kept:
// emitted is the offset where it would start in f.
func (fl *follower) switchTo(f *os.File) {
	fl.f.Close()
	fl.f, fl.emitted = f, -int64(len(fl.partial))
}

// maxBackupScan bounds the backups between looks at.
const maxBackupScan = 1000

// between returns the files rotated after the current one and before nf,
// oldest first: svunit names them PATH.1 (newest) … PATH.N, so a follower
// that fell several rotations behind still reads every line. It returns
// nil when the current file is not among the backups (another naming, or
// removed).
func (fl *follower) between(nf *os.File) []*os.File {
	cur, err1 := fl.f.Stat()
	next, err2 := nf.Stat()
	if err1 != nil || err2 != nil {
		return nil
	}
	// A rotation during the scan can hide a name for a moment: look again.
	for try := 0; try < 3; try++ {
		if files, ok := fl.scanBackups(cur, next); ok {
			return files
		}
	}
	return nil
}

// scanBackups opens PATH.1, PATH.2, … until it finds cur, and returns
// the files found before it that are older than next, oldest first.
func (fl *follower) scanBackups(cur, next os.FileInfo) ([]*os.File, bool) {
	var newer []*os.File // newest first, each file once
	var seen []os.FileInfo
	missing := 0
	for i := 1; i <= maxBackupScan && missing < 2; i++ {
		f, err := os.Open(backupName(fl.path, i))
		if err != nil {
			missing++ // a rotation in progress leaves one name empty at a time
			continue
		}
		missing = 0
		fi, err := f.Stat()
		if err != nil || slices.ContainsFunc(seen, func(s os.FileInfo) bool { return os.SameFile(s, fi) }) {
			f.Close() // seen twice: it moved while we looked
			continue
		}
		if os.SameFile(fi, cur) {
			f.Close()
			var files []*os.File
			for j := len(newer) - 1; j >= 0; j-- {
				if os.SameFile(seen[j], next) {
					closeAll(newer[:j+1])
					return files, true
				}
				files = append(files, newer[j])
			}
			return files, true
		}
		newer, seen = append(newer, f), append(seen, fi)
	}
	closeAll(newer)
	return nil, false
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// drain reads f from where we are to its end and writes the complete lines.
func (fl *follower) drain() error {
	off := fl.emitted + int64(len(fl.partial))
	if size := fileSize(fl.f); size < off {
		// Truncated. Down to a point past our last line, it is svunit's
		// rotation moving an unfinished line to the next file; below it, the
		// file restarts (copytruncate).
		fl.partial = fl.partial[:0]
		if size >= fl.emitted {
			fl.emitted = size
		} else {
			fl.emitted = 0
		}
		off = fl.emitted
	}
	buf := getChunk()
	defer putChunk(buf)
	for {
		n, err := fl.f.ReadAt(*buf, off)
		if n > 0 {
			off += int64(n)
			if werr := fl.lines((*buf)[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF || n == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// lines writes the complete lines of p, keeping the unfinished rest.
func (fl *follower) lines(p []byte) error {
	i := bytes.LastIndexByte(p, '\n')
	if i < 0 {
		fl.partial = append(fl.partial, p...)
		if len(fl.partial) < followLineMax {
			return nil
		}
		p, i = nil, -1 // too long to hold: write what we have
	}
	out := append(fl.partial, p[:i+1]...)
	fl.emitted += int64(len(out))
	fl.partial = append(fl.partial[:0:0], p[i+1:]...)
	_, err := fl.w.Write(out)
	return err
}

func (fl *follower) closeFile() {
	if fl.f != nil {
		fl.f.Close()
		fl.f = nil
	}
	fl.partial = nil
}

func fileSize(f *os.File) int64 {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

func sameFile(a, b *os.File) bool {
	ai, err := a.Stat()
	if err != nil {
		return false
	}
	bi, err := b.Stat()
	return err == nil && os.SameFile(ai, bi)
}
