package manager

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"svunit.dev/svunit/units"
)

// defaultPath is the PATH a child gets unless its unit sets one, as systemd
// gives its services.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// A spawnSpec is everything needed to fork and exec one command, resolved
// and checked before any fork: a bad user, a missing program or an
// unreadable environment file fails here, in the manager.
type spawnSpec struct {
	path   string
	argv   []string
	attr   syscall.ProcAttr
	cred   *credential // nil: run as the manager's own user
	umask  *uint32
	rlims  []rlimit
	cgroup string // start the child in this cgroup directory; "" for none
}

// credential is a resolved User=/Group=/SupplementaryGroups=.
type credential struct {
	uid, gid       uint32
	groups         []uint32
	name, home, sh string
}

// resolveCredential looks up u's User= and groups. It refuses a switch the
// manager cannot make (not root), so that a child never runs as a user the
// unit did not ask for.
func resolveCredential(s *units.Service) (*credential, error) {
	if s.User == "" && s.Group == "" && len(s.SupplementaryGroups) == 0 {
		return nil, nil
	}
	c := &credential{uid: uint32(os.Getuid()), gid: uint32(os.Getgid())}
	if s.User != "" {
		pw, err := lookupUser(s.User)
		if err != nil {
			return nil, fmt.Errorf("User=%s: %v (create the user or fix User=)", s.User, err)
		}
		uid, _ := strconv.ParseUint(pw.Uid, 10, 32)
		gid, _ := strconv.ParseUint(pw.Gid, 10, 32)
		c.uid, c.gid, c.name, c.home = uint32(uid), uint32(gid), pw.Username, pw.HomeDir
		c.sh = loginShell(pw.Username)
		gids, _ := pw.GroupIds()
		for _, g := range gids {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil && uint32(n) != c.gid {
				c.groups = append(c.groups, uint32(n))
			}
		}
	}
	if s.Group != "" {
		gid, err := lookupGroup(s.Group)
		if err != nil {
			return nil, fmt.Errorf("Group=%s: %v (create the group or fix Group=)", s.Group, err)
		}
		c.gid = gid
	}
	for _, g := range s.SupplementaryGroups {
		gid, err := lookupGroup(g)
		if err != nil {
			return nil, fmt.Errorf("SupplementaryGroups=%s: %v", g, err)
		}
		c.groups = append(c.groups, gid)
	}
	if os.Geteuid() != 0 && (c.uid != uint32(os.Geteuid()) || c.gid != uint32(os.Getegid()) || len(s.SupplementaryGroups) > 0) {
		return nil, fmt.Errorf("%s: the manager runs as uid %d, not root, so it cannot switch user or groups; remove these directives or run the system manager", credDirectives(s), os.Geteuid())
	}
	return c, nil
}

// credDirectives lists the directives of s that ask for other credentials,
// as written: "User=www Group=www".
func credDirectives(s *units.Service) string {
	var asked []string
	for _, d := range [][2]string{{"User", s.User}, {"Group", s.Group}} {
		if d[1] != "" {
			asked = append(asked, d[0]+"="+d[1])
		}
	}
	if len(s.SupplementaryGroups) > 0 {
		asked = append(asked, "SupplementaryGroups="+strings.Join(s.SupplementaryGroups, " "))
	}
	return strings.Join(asked, " ")
}

func lookupUser(name string) (*user.User, error) {
	if _, err := strconv.Atoi(name); err == nil {
		return user.LookupId(name)
	}
	return user.Lookup(name)
}

func lookupGroup(name string) (uint32, error) {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return uint32(n), nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(g.Gid, 10, 32)
	return uint32(n), err
}

// loginShell returns the user's shell from /etc/passwd, or /bin/sh.
func loginShell(name string) string {
	b, _ := os.ReadFile("/etc/passwd")
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 7 && f[0] == name && f[6] != "" {
			return f[6]
		}
	}
	return "/bin/sh"
}

// buildEnv makes a child's clean environment: PATH, the user's variables
// when User= is set, PassEnvironment= from the manager's, Environment=,
// then EnvironmentFile= (which overrides, as in systemd), then extra (the
// manager's own variables: INVOCATION_ID, NOTIFY_SOCKET). Later wins.
func buildEnv(s *units.Service, c *credential, extra []string) ([]string, error) {
	env := []string{"PATH=" + defaultPath}
	if c != nil && c.name != "" {
		env = append(env, "HOME="+c.home, "USER="+c.name, "LOGNAME="+c.name, "SHELL="+c.sh)
	}
	for _, name := range s.PassEnvironment {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	env = append(env, s.Environment...)
	for _, f := range s.EnvironmentFiles {
		kv, err := readEnvFile(f.Path)
		if err != nil {
			if f.Optional && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("EnvironmentFile=%s: %v", f.Path, err)
		}
		env = append(env, kv...)
	}
	env = append(env, extra...)
	return dedupEnv(env), nil
}

// dedupEnv keeps the last assignment of each name, in first-seen order.
func dedupEnv(env []string) []string {
	idx := make(map[string]int, len(env))
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if i, ok := idx[name]; ok {
			out[i] = kv
			continue
		}
		idx[name] = len(out)
		out = append(out, kv)
	}
	return out
}

// readEnvFile reads KEY=VALUE lines; '#' and ';' start comments, and a value
// may be wrapped in single or double quotes.
func readEnvFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var env []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("line %d: want KEY=VALUE, got %q", i+1, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		env = append(env, k+"="+v)
	}
	return env, nil
}

// lookPath finds prog in the child's PATH when it has no slash.
func lookPath(prog string, env []string) (string, error) {
	if strings.Contains(prog, "/") {
		return prog, checkExecutable(prog)
	}
	path := defaultPath
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, prog)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found in PATH=%s (write its full path)", prog, path)
}

// checkExecutable reports a missing or non-executable program before fork,
// so the reason is precise.
func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("%s: no such file (check the path in ExecStart=)", p)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s: not executable (chmod +x it, or fix ExecStart=)", p)
	}
	return nil
}

// prepare resolves one command of unit u into a spawnSpec. stdout and
// stderr are the write ends the child gets; extra are manager variables.
func prepare(u *units.Unit, cmd units.Command, stdout, stderr *os.File, extra []string) (*spawnSpec, error) {
	s := &u.Service
	cred, err := resolveCredential(s)
	if err != nil {
		return nil, err
	}
	env, err := buildEnv(s, cred, extra)
	if err != nil {
		return nil, err
	}
	argv := cmd.Argv
	if !cmd.NoEnvExpand {
		if argv, err = cmd.Expand(env); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", cmd.Where(u), cmd.Line, err)
		}
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s:%d: the command line is empty", cmd.Where(u), cmd.Line)
	}
	path, err := lookPath(argv[0], env)
	if err != nil {
		return nil, err
	}
	argv = append([]string(nil), argv...)
	if cmd.Argv0 != "" {
		argv[0] = cmd.Argv0
	}
	dir, err := workDir(s, cred)
	if err != nil {
		return nil, err
	}
	sp := &spawnSpec{path: path, argv: argv, cred: cred, umask: s.UMask, rlims: toRlimits(s.Limits)}
	sp.attr = syscall.ProcAttr{
		Dir:   dir,
		Env:   env,
		Files: []uintptr{devNull.Fd(), stdout.Fd(), stderr.Fd()},
		Sys:   sysProcAttr(cred),
	}
	return sp, nil
}

// workDir resolves WorkingDirectory=: "~" and "" with User= mean the user's
// home; "" without User= means the manager's own directory.
func workDir(s *units.Service, c *credential) (string, error) {
	dir := s.WorkingDirectory
	if (dir == "~" || dir == "") && c != nil && c.home != "" {
		dir = c.home
	}
	if dir == "" || dir == "~" {
		return "", nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if s.WorkingDirectoryOptional || s.WorkingDirectory == "" {
			return "", nil
		}
		return "", fmt.Errorf("WorkingDirectory=%s: not a directory (create it, or prefix it with '-' to make it optional)", dir)
	}
	return dir, nil
}

// devNull is the child's stdin, opened once for the whole process.
var devNull, _ = os.Open(os.DevNull)

// sysProcAttr puts the child in a new process group and switches its
// credentials; the switch happens in the child before exec, and if it
// fails the exec never happens (ForkExec returns the error).
func sysProcAttr(c *credential) *syscall.SysProcAttr {
	sys := &syscall.SysProcAttr{Setpgid: true}
	if c != nil {
		sys.Credential = &syscall.Credential{Uid: c.uid, Gid: c.gid, Groups: c.groups}
		if c.groups == nil {
			sys.Credential.Groups = []uint32{}
		}
	}
	return sys
}

// fork starts the child. Its credentials are switched in the child before
// exec; when the switch fails, exec never happens and the error returns.
func (sp *spawnSpec) fork() (int, error) {
	if sp.cgroup != "" {
		return sp.forkIntoCgroup()
	}
	return syscall.ForkExec(sp.path, sp.argv, &sp.attr)
}

// describe adds to a failed fork what the child was doing: the kernel's
// errno alone ("permission denied") does not say whether the program, the
// working directory or the user switch was refused.
func (sp *spawnSpec) describe(err error) error {
	as := "as the manager's user"
	if sp.cred != nil {
		as = fmt.Sprintf("as uid %d gid %d", sp.cred.uid, sp.cred.gid)
	}
	dir := sp.attr.Dir
	if dir == "" {
		dir = "the manager's directory"
	}
	return fmt.Errorf("exec %s %s in %s: %w", sp.path, as, dir, err)
}
