package units

import (
	"os/user"
	"reflect"
	"strings"
	"testing"
)

var testSpec = &specifiers{name: "web@a-b.unit", prefix: "web", instance: "a-b"}

func TestParseExec(t *testing.T) {
	cases := []struct {
		in   string
		want []Command
	}{
		{`/bin/echo a  b`, []Command{{Argv: []string{"/bin/echo", "a", "b"}}}},
		{`/bin/echo "a b" 'c "d"' e"f g"h`, []Command{{Argv: []string{"/bin/echo", "a b", `c "d"`, "ef gh"}}}},
		{`/bin/echo \t\x41\101\u00e9\s\\ "\""`, []Command{{Argv: []string{"/bin/echo", "\tAAé \\", `"`}}}},
		{`-/bin/false`, []Command{{Argv: []string{"/bin/false"}, IgnoreFailure: true}}},
		{`@/bin/sh mysh -c true`, []Command{{Argv: []string{"/bin/sh", "-c", "true"}, Argv0: "mysh"}}},
		{`:-/bin/echo $HOME`, []Command{{Argv: []string{"/bin/echo", "$HOME"}, IgnoreFailure: true, NoEnvExpand: true}}},
		{`/bin/a 1 ; /bin/b \; ";"`, []Command{{Argv: []string{"/bin/a", "1"}}, {Argv: []string{"/bin/b", ";", ";"}}}},
		{`echo %n %N %p %i %I 100%%`, []Command{{Argv: []string{"echo", "web@a-b.unit", "web@a-b", "web", "a-b", "a/b", "100%"}}}},
	}
	for _, c := range cases {
		got, err := parseExec(c.in, 0, testSpec)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseExec(%s) = %+v, %v\nwant %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseExecErrors(t *testing.T) {
	cases := map[string]string{
		`/bin/echo "unclosed`: `unclosed " quote (close it, or escape it as \")`,
		`/bin/echo 'unclosed`: `unclosed ' quote (close it, or escape it as \')`,
		`/bin/echo trailing\`: `trailing backslash (write \\ for a literal one)`,
		`/bin/echo \q`:        `unknown escape \q (write \\ for a literal backslash)`,
		`/bin/echo \x00`:      `escape "\\x00" is a NUL byte, which no argument can hold`,
		`/bin/echo \000`:      `escape "\\000" is a NUL byte, which no argument can hold`,
		`/bin/echo \u12`:      `escape "\\u12" is too short`,
		`/bin/echo \378`:      `bad escape "\\378"`,
		`/bin/echo \xZZ`:      `bad escape "\\xZZ"`,
		`/bin/echo %z`:        `unknown specifier %z (svunit knows %n %N %p %i %I %u %U %h %H; write %% for a literal %)`,
		`/bin/echo 5%`:        `lone "%" at the end (write %% for a literal percent sign)`,
		`${PYTHON} x.py`:      `the program "${PYTHON}" cannot come from a variable (write its path, or run /bin/sh -c '${PYTHON} …')`,
		`bin/echo`:            `program "bin/echo" is a relative path (write an absolute path, or a bare name to search $PATH)`,
		`+/bin/echo`:          `prefix '+' (privileged execution) is not supported by svunit; set User= and Group= instead`,
		`--/bin/echo`:         `prefix '-' appears twice`,
		`@/bin/echo`:          `prefix "@" needs the argv[0] to pass as the second word (write @/path/prog name args…)`,
		`; /bin/echo`:         `empty command before ";" (remove the extra ";")`,
		`-`:                   `empty program path (write the absolute path of the program)`,
		`/bin/echo ${HOME`:    `unclosed ${ in "${HOME" (write ${NAME}, or $$ for a literal $)`,
		`/bin/echo "${A B}"`:  `${A B} is not a variable reference (write ${NAME}, ${NAME:-default} or ${NAME:+alternative})`,
	}
	for in, want := range cases {
		if _, err := parseExec(in, 0, testSpec); err == nil || err.Error() != want {
			t.Errorf("parseExec(%s) error = %v\nwant %s", in, err, want)
		}
	}
}

// TestSpecifiersFromUser loads a unit with User=nobody and checks that %u,
// %U and %h come from the user database, not from the manager's user.
func TestSpecifiersFromUser(t *testing.T) {
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	dir := writeUnits(t, map[string]string{"a.unit": "[Service]\nExecStart=/bin/echo %u %U %h\nUser=nobody\n"})
	us, err := LoadFile(dir + "/a.unit")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/bin/echo", "nobody", nobody.Uid, nobody.HomeDir}
	if got := us[0].Service.ExecStart[0].Argv; !reflect.DeepEqual(got, want) {
		t.Errorf("Argv = %q, want %q", got, want)
	}
}

func TestSpecifiersUser(t *testing.T) {
	root, err := user.Lookup("root")
	if err != nil {
		t.Fatal(err)
	}
	sp := &specifiers{name: "x.unit", prefix: "x", user: "root"}
	got, err := sp.expand("%u %U %h")
	if want := "root 0 " + root.HomeDir; err != nil || got != want {
		t.Errorf("expand = %q, %v; want %q", got, err, want)
	}
}

func TestExpand(t *testing.T) {
	env := []string{"A=one two  three", "B=x", "EMPTY=", "B=later"}
	cases := []struct {
		argv []string
		want []string
	}{
		{[]string{"/bin/p", "$A"}, []string{"/bin/p", "one", "two", "three"}},
		{[]string{"/bin/p", "${A}"}, []string{"/bin/p", "one two  three"}},
		{[]string{"/bin/p", "--b=${B}", "x$B", "$$B", "$$"}, []string{"/bin/p", "--b=later", "x$B", "$B", "$"}},
		{[]string{"/bin/p", "$EMPTY", "$UNSET", "${UNSET}"}, []string{"/bin/p", ""}},
		{[]string{"/bin/p", "${UNSET:-def}", "${B:-def}", "${B:+alt}", "${UNSET:+alt}"}, []string{"/bin/p", "def", "later", "alt", ""}},
		{[]string{"$A", "$"}, []string{"$A", "$"}},
	}
	for _, c := range cases {
		got, err := Command{Argv: c.argv}.Expand(env)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Expand(%q) = %q, %v; want %q", c.argv, got, err, c.want)
		}
	}
	raw := Command{Argv: []string{"/bin/p", "$A", "${A}"}, NoEnvExpand: true}
	if got, _ := raw.Expand(env); !reflect.DeepEqual(got, raw.Argv) {
		t.Errorf("':' command was expanded: %q", got)
	}
	if _, err := (Command{Argv: []string{"/bin/p", "${A"}}).Expand(env); err == nil {
		t.Error("unclosed ${ expanded without error")
	}
}

func TestParseEnvironment(t *testing.T) {
	got, err := parseEnvironment(`A=1 "B=two words" C='x y' D=%i E=`, testSpec)
	want := []string{"A=1", "B=two words", "C=x y", "D=a-b", "E="}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseEnvironment = %q, %v; want %q", got, err, want)
	}
	for in, msg := range map[string]string{
		"NOVALUE": `"NOVALUE" is not KEY=VALUE (quote values with spaces: "KEY=a b")`,
		"1A=x":    `"1A" is not a valid variable name (use letters, digits and _, not starting with a digit)`,
		`A="open`: `unclosed " quote (close it, or escape it as \")`,
	} {
		if _, err := parseEnvironment(in, testSpec); err == nil || err.Error() != msg {
			t.Errorf("parseEnvironment(%s) error = %v; want %s", in, err, msg)
		}
	}
	if !strings.Contains(unescapeInstance(`a\x2db-c`), "a-b/c") {
		t.Errorf("unescapeInstance = %q", unescapeInstance(`a\x2db-c`))
	}
}
