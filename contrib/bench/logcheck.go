//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// A lineCheck is what the files of a rotated log hold, against the numbered
// lines the writer sent.
type lineCheck struct {
	Lines   int64 // well-formed lines read
	Split   int64 // lines that are not whole (a line cut in two by rotation, or mangled)
	Missing int64 // line numbers never seen
	Dup     int64 // line numbers seen twice or out of order
}

func (c lineCheck) ok() bool { return c.Split == 0 && c.Missing == 0 && c.Dup == 0 }

func (c lineCheck) String() string {
	return fmt.Sprintf("%d lines, %d split, %d missing, %d duplicated or out of order", c.Lines, c.Split, c.Missing, c.Dup)
}

// rotatedFiles lists a log and its backups oldest first: path.N … path.1,
// path; backups that do not exist are left out.
func rotatedFiles(path string, backups int) []string {
	var out []string
	for i := backups; i >= 1; i-- {
		p := path + "." + strconv.Itoa(i)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return append(out, path)
}

// filesSize sums the sizes of files, newest last; a file renamed meanwhile
// can only make the sum smaller, never count bytes twice, because rotation
// moves content towards the older names, which were read first.
func filesSize(files []string) int64 {
	var n int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// checkLines reads files in order and checks that they hold lines 0…want-1,
// each line bytes long, in order, each whole.
func checkLines(files []string, want, line int64) (lineCheck, error) {
	var c lineCheck
	next := int64(0)
	for _, name := range files {
		f, err := os.Open(name)
		if os.IsNotExist(err) {
			continue // renamed by a rotation meanwhile: the caller checks again
		}
		if err != nil {
			return c, err
		}
		r := bufio.NewReaderSize(f, 1<<20)
		for {
			l, err := r.ReadSlice('\n')
			if len(l) > 0 {
				seq, ok := parseLine(l, line)
				switch {
				case !ok:
					c.Split++
				case seq == next:
					c.Lines++
					next++
				case seq > next:
					c.Lines++
					c.Missing += seq - next
					next = seq + 1
				default:
					c.Lines++
					c.Dup++
				}
			}
			if err == bufio.ErrBufferFull {
				c.Split++
				for err == bufio.ErrBufferFull { // skip the rest of an overlong line
					_, err = r.ReadSlice('\n')
				}
			}
			if err != nil {
				break
			}
		}
		f.Close()
	}
	if next < want {
		c.Missing += want - next
	}
	return c, nil
}

// parseLine returns a line's number when it is exactly one whole line of
// the writer's.
func parseLine(l []byte, line int64) (int64, bool) {
	if int64(len(l)) != line || l[len(l)-1] != '\n' || l[12] != ' ' {
		return 0, false
	}
	if bytes.IndexFunc(l[13:len(l)-1], func(r rune) bool { return r != 'x' }) >= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(l[:12]), 10, 64)
	return n, err == nil
}
