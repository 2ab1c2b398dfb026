//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// machine describes where a run happened.
type machine struct {
	OS     string `json:"os"`
	Kernel string `json:"kernel"`
	CPU    string `json:"cpu"`
	Cores  int    `json:"cores"`
	MemMB  int    `json:"mem_mb"`
	Go     string `json:"go"`
}

func (m machine) String() string {
	return fmt.Sprintf("%s, Linux %s, %s × %d, %d MB RAM, %s", m.OS, m.Kernel, m.CPU, m.Cores, m.MemMB, m.Go)
}

func describeMachine() machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: "Linux", CPU: "unknown CPU"}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	m.CPU = firstField("/proc/cpuinfo", "model name", m.CPU)
	if v := firstField("/proc/meminfo", "MemTotal", ""); v != "" {
		var kb int
		fmt.Sscan(v, &kb)
		m.MemMB = kb / 1024
	}
	if v := firstField("/etc/os-release", "PRETTY_NAME", ""); v != "" {
		m.OS = strings.Trim(v, `"`)
	}
	return m
}

// firstField returns the value of the first "key: value" or "key=value"
// line of a file.
func firstField(path, key, def string) string {
	f, err := os.Open(path)
	if err != nil {
		return def
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, key) {
			continue
		}
		rest := strings.TrimSpace(line[len(key):])
		if rest != "" && (rest[0] == ':' || rest[0] == '=') {
			return strings.TrimSpace(rest[1:])
		}
	}
	return def
}
