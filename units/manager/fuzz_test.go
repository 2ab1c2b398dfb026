//go:build linux

package manager

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzEnvFile feeds EnvironmentFile= contents to the parser: it never
// panics, and every variable it returns is NAME=value with a name free of
// blanks.
func FuzzEnvFile(f *testing.F) {
	for _, s := range []string{"A=1\n", "# c\n; c\nB = \"two words\"\n", "C='x'\n", "bad line\n", "=v\n", "D=\"unterminated\n", "E=a=b\r\n"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		p := filepath.Join(dir, "env")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		env, err := readEnvFile(p)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("error %q does not name the line", err)
			}
			return
		}
		for _, kv := range env {
			name, _, ok := strings.Cut(kv, "=")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				t.Errorf("bad variable %q from %q", kv, content)
			}
		}
	})
}

// FuzzNotify feeds sd_notify datagrams to the parser: it never panics, and
// a READY=1 line is always seen.
func FuzzNotify(f *testing.F) {
	for _, s := range []string{"READY=1", "STATUS=x\nREADY=1\n", "MAINPID=12", "", "=\n=", "READY=1\nREADY=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		fields := parseNotify(msg)
		if msg == "READY=1" && fields["READY"] != "1" {
			t.Errorf("READY=1 lost in %q", msg)
		}
	})
}
