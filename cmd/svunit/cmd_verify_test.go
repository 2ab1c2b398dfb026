package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyAndCat builds svunit once and runs verify and cat as a user
// would.
func TestVerifyAndCat(t *testing.T) {
	bin := buildSvunit(t)
	t.Run("examples", func(t *testing.T) { testVerifyExamples(t, bin) })
	t.Run("errors", func(t *testing.T) { testVerifyErrors(t, bin) })
	t.Run("cat", func(t *testing.T) { testCat(t, bin) })
}

func testVerifyExamples(t *testing.T, bin string) {
	out, errOut, code := runSvunit(t, bin, "verify", "../../examples/units")
	if code != 0 || errOut != "" || out != "../../examples/units: 5 units, no errors\n" {
		t.Errorf("verify examples: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	out, errOut, code = runSvunit(t, bin, "verify", "-q", "../../examples/units")
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("verify -q: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func testVerifyErrors(t *testing.T, bin string) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.unit")
	writeTestFile(t, bad, "[Unit]\nDescription=bad\n[Service]\nExecStart=/bin/echo \"unclosed\nRestrat=always\n")
	good := filepath.Join(dir, "good.unit")
	writeTestFile(t, good, "[Service]\nExecStart=/bin/true\n")

	out, errOut, code := runSvunit(t, bin, "verify", bad, good)
	want := bad + ":4: Service.ExecStart: unclosed \" quote (close it, or escape it as \\\")\n" +
		bad + ":5: Service.Restrat: unknown directive; did you mean Restart=? (see docs/directives.md; prefix your own with X-)\n" +
		"2 errors\n"
	if code != 1 || out != "" || errOut != want {
		t.Errorf("verify bad: exit %d\nstdout: %s\nstderr: %s\nwant stderr: %s", code, out, errOut, want)
	}

	out, _, code = runSvunit(t, bin, "verify", "-o", "json", dir)
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 1 || len(list) != 2 {
		t.Fatalf("verify -o json: exit %d, %v\n%s", code, err, out)
	}
	if list[0]["file"] != bad || list[0]["line"] != 4.0 || list[0]["section"] != "Service" || list[0]["directive"] != "ExecStart" || !strings.HasPrefix(list[0]["message"].(string), "unclosed") {
		t.Errorf("json error = %v", list[0])
	}

	out, _, code = runSvunit(t, bin, "verify", "-o", "json", good)
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("verify -o json good: exit %d, %q", code, out)
	}

	// A file is judged with its directory's other units: web needs db.
	db := filepath.Join(dir, "db.unit")
	writeTestFile(t, db, "[Service]\nExecStart=/bin/true\n")
	web := filepath.Join(t.TempDir(), "web.unit")
	writeTestFile(t, web, "[Unit]\nRequires=db\n[Service]\nExecStart=/bin/true\n")
	if out, errOut, code := runSvunit(t, bin, "verify", filepath.Join(dir, "good.unit")); code != 0 || out != filepath.Join(dir, "good.unit")+": 1 unit, no errors\n" {
		t.Errorf("verify good.unit beside bad.unit: exit %d, %q, %q", code, out, errOut)
	}
	if _, errOut, code := runSvunit(t, bin, "verify", web); code != 1 || !strings.Contains(errOut, "web.unit requires db.unit, which is not loaded") {
		t.Errorf("verify web.unit without db: exit %d, %q", code, errOut)
	}
	if err := os.Rename(web, filepath.Join(dir, "web.unit")); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runSvunit(t, bin, "verify", filepath.Join(dir, "web.unit")); code != 0 {
		t.Errorf("verify web.unit beside db.unit: exit %d, %q, %q", code, out, errOut)
	}

	_, errOut, code = runSvunit(t, bin, "verify", filepath.Join(dir, "missing.unit"))
	if code != 1 || !strings.Contains(errOut, "missing.unit: cannot read:") {
		t.Errorf("verify missing: exit %d, %q", code, errOut)
	}
}

func testCat(t *testing.T, bin string) {
	out, _, code := runSvunit(t, bin, "cat", "--units", "../../examples/units", "worker@2", "api")
	tpl, _ := os.ReadFile("../../examples/units/worker@.unit")
	if code != 0 || !strings.HasPrefix(out, "# ../../examples/units/worker@.unit\n"+string(tpl)) || !strings.Contains(out, "\n# ../../examples/units/api.unit\n") {
		t.Errorf("cat: exit %d\n%s", code, out)
	}
	_, errOut, code := runSvunit(t, bin, "cat", "--units", "../../examples/units", "nope")
	if code != 4 || !strings.Contains(errOut, `no unit file for "nope"`) {
		t.Errorf("cat nope: exit %d, %q", code, errOut)
	}
}
