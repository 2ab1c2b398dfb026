package supervisord

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzConvert feeds arbitrary text to the importer as a supervisord.conf:
// it may report errors, never panic, and never return units with errors.
func FuzzConvert(f *testing.F) {
	for _, name := range []string{"testdata/full/supervisord.conf", "testdata/full/conf.d/cron.conf", "testdata/bad/supervisord.conf"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[program:x]\ncommand=%(process_num)02d\nnumprocs=2\nprocess_name=%(process_num)s\n"))
	f.Fuzz(func(t *testing.T, conf []byte) {
		path := filepath.Join(t.TempDir(), "supervisord.conf")
		if err := os.WriteFile(path, conf, 0o644); err != nil {
			t.Fatal(err)
		}
		units, d, err := Convert(path, Options{Environ: testEnv, Hostname: "host"})
		if err != nil && len(units) > 0 {
			t.Fatalf("Convert returned %d units with the error %v", len(units), err)
		}
		if err == nil && len(d.Errors) > 0 {
			t.Fatalf("Convert returned no error but %d diagnostics", len(d.Errors))
		}
	})
}
