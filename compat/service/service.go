package service

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	kservice "github.com/kardianos/service"
	"svunit.dev/svunit/compat"
)

// Config says what to install.
type Config struct {
	compat.Options
	// Backend forces an init system: a target name (systemd, init.d, openrc,
	// launchd, rc.d, openbsd-rc.d, netbsd-rc.d) or a kardianos/service system
	// name. "" detects it.
	Backend string
}

// A Service is the svunit manager as one service of the machine's init
// system. Its fields are set by New and never change; its methods run the
// init system's commands, so use it from one goroutine at a time.
type Service struct {
	b          backend
	name       string
	wrapper    []byte
	wrapperErr error            // why the wrapper cannot be written, if it cannot
	files      []string         // what Install writes; files[0] is the wrapper
	ks         kservice.Service // nil when svunit installs the wrapper itself
}

// Status is what Service.Status reports.
type Status string

const (
	Running      Status = "running"       // the manager runs
	Stopped      Status = "stopped"       // installed, not running
	NotInstalled Status = "not-installed" // no wrapper file
	Unknown      Status = "unknown"       // the init system gave no answer
)

// ErrNotInstalled is returned by Uninstall when there is nothing to remove.
var ErrNotInstalled = errors.New("the svunit service is not installed")

// New picks the init system and renders the wrapper. It changes nothing on
// the machine.
func New(c Config) (*Service, error) {
	b, err := pickBackend(c.Backend)
	if err != nil {
		return nil, err
	}
	s := &Service{b: b, name: pick(c.Name, "svunit")}
	if s.files, err = b.files(s.name, c.User); err != nil {
		return nil, fmt.Errorf("%s: %w", b.target, err)
	}
	// A wrapper that cannot be written only stops Install: Uninstall and
	// Status work whatever this binary's path holds.
	s.wrapper, s.wrapperErr = compat.Generate(b.target, c.Options)
	if b.kardianos == "" {
		return s, nil
	}
	// kardianos/service renders its own template language; the wrapper is
	// passed as a template with nothing to substitute.
	if s.wrapperErr == nil && strings.Contains(string(s.wrapper), "{{") {
		s.wrapperErr = fmt.Errorf("%s: a path holds \"{{\", which kardianos/service would read as a template; use 'svunit generate %s' and install by hand", b.target, b.target)
	}
	kc := &kservice.Config{
		Name:        s.name,
		DisplayName: "svunit",
		Description: "svunit process supervisor",
		Executable:  c.Executable,
		Arguments:   c.DaemonArgs(),
		Option:      kservice.KeyValue{b.option: string(s.wrapper), "UserService": c.User},
	}
	if s.ks, err = kservice.New(noProgram{}, kc); err != nil {
		return nil, fmt.Errorf("%s: %w", b.target, err)
	}
	return s, nil
}

// allSystems are the init systems kardianos/service knows on this OS, kept
// because ChooseSystem narrows its list to the one chosen.
var allSystems = kservice.AvailableSystems()

// pickBackend returns the forced backend, else the one this OS uses.
func pickBackend(name string) (backend, error) {
	if name == "" && nativeTarget != "" {
		name = string(nativeTarget)
	}
	if name == "" {
		kservice.ChooseSystem(allSystems...) // detect again, undoing a forced choice
		sys := kservice.ChosenSystem()
		if sys == nil {
			return backend{}, fmt.Errorf("no init system detected on %s; pass --backend", runtime.GOOS)
		}
		return backendFor(sys.String())
	}
	b, err := backendFor(name)
	if err != nil || b.kardianos == "" {
		return b, err
	}
	for _, sys := range allSystems {
		if sys.String() != b.kardianos {
			continue
		}
		if kservice.ChooseSystem(sys); kservice.ChosenSystem() == nil {
			return backend{}, fmt.Errorf("%s does not run on this machine (kardianos/service does not detect it); write the file with 'svunit generate %s' and install it by hand", b.target, b.target)
		}
		return b, nil
	}
	return backend{}, fmt.Errorf("the %s backend (%s) is not available on %s", b.target, b.kardianos, runtime.GOOS)
}

// Target is the init system the service is for.
func (s *Service) Target() compat.Target { return s.b.target }

// Wrapper returns the file Install writes as files[0], or why it cannot
// be written.
func (s *Service) Wrapper() ([]byte, error) { return s.wrapper, s.wrapperErr }

// Files lists the files Install may write, the wrapper first.
func (s *Service) Files() []string { return s.files }

// Commands lists the commands Install runs after writing the wrapper, beyond
// what kardianos/service runs itself.
func (s *Service) Commands() [][]string {
	if s.b.enable == nil {
		return nil
	}
	return s.b.enable(s.name)
}

// Installed reports whether the wrapper file exists.
func (s *Service) Installed() bool {
	_, err := os.Lstat(s.files[0])
	return err == nil
}

// Install writes the wrapper and enables it, so the manager starts at boot.
// It refuses to replace an existing file.
func (s *Service) Install() error {
	if s.wrapperErr != nil {
		return s.wrapperErr
	}
	if s.Installed() {
		return fmt.Errorf("%s exists: the service is installed already (uninstall-service first)", s.files[0])
	}
	install := s.writeNative
	if s.ks != nil {
		install = s.ks.Install
	}
	if err := install(); errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("installing %s: %w (run as root, or with --user where the init system has per-user services)", s.files[0], err)
	} else if err != nil {
		return fmt.Errorf("installing %s: %w", s.files[0], err)
	}
	for _, argv := range s.Commands() {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s (the wrapper is installed; run uninstall-service to remove it)", strings.Join(argv, " "), err, out)
		}
	}
	return nil
}

// writeNative installs the wrapper where kardianos/service cannot.
func (s *Service) writeNative() error {
	if err := os.WriteFile(s.files[0], s.wrapper, 0o555); err != nil {
		return err
	}
	if s.b.target == compat.NetBSD {
		return os.WriteFile(s.files[1], []byte(s.name+"=YES\n"), 0o644)
	}
	return nil
}

// Uninstall stops the manager if it runs, disables the service and removes
// every file Install wrote.
func (s *Service) Uninstall() error {
	if !s.Installed() {
		return ErrNotInstalled
	}
	if st, _ := s.Status(); st == Running {
		if err := s.Stop(); err != nil {
			return fmt.Errorf("stopping the manager before removing it: %w", err)
		}
	}
	if s.b.disable != nil {
		for _, argv := range s.b.disable(s.name) {
			if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, out)
			}
		}
	}
	var err error
	if s.ks != nil {
		if err = s.ks.Uninstall(); err != nil {
			err = fmt.Errorf("removing %s: %w", s.files[0], err)
		}
	}
	// Whatever kardianos/service managed, leave none of Install's files.
	return errors.Join(err, s.removeLeftovers())
}

// removeLeftovers removes the files kardianos/service leaves behind (the
// SysV runlevel links), touching only links to the wrapper.
func (s *Service) removeLeftovers() error {
	var errs []error
	for i, f := range s.files {
		fi, err := os.Lstat(f)
		if err != nil {
			continue
		}
		if i > 0 && fi.Mode()&os.ModeSymlink != 0 {
			if dst, _ := os.Readlink(f); filepath.Clean(dst) != s.files[0] {
				continue
			}
		}
		if err := os.Remove(f); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Stop asks the init system to stop the manager.
func (s *Service) Stop() error {
	if s.b.status == "" {
		return s.ks.Stop()
	}
	out, err := exec.Command(s.files[0], "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s stop: %v: %s", s.files[0], err, out)
	}
	return nil
}

// Status asks the init system whether the manager runs. The scripts svunit
// asks itself answer by exit status (LSB status: 0 running, 3 stopped; BSD
// rc.d: 0 or 1); kardianos/service asks the others.
func (s *Service) Status() (Status, error) {
	if !s.Installed() {
		return NotInstalled, nil
	}
	if s.b.status == "" {
		st, err := s.ks.Status()
		switch {
		case st == kservice.StatusRunning:
			return Running, nil
		case st == kservice.StatusStopped:
			return Stopped, nil
		}
		return Unknown, err
	}
	err := exec.Command(s.files[0], s.b.status).Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return Running, nil
	case errors.As(err, &ee) && ee.ExitCode() == s.b.stopped:
		return Stopped, nil
	}
	return Unknown, fmt.Errorf("%s %s: %w", s.files[0], s.b.status, err)
}

// noProgram satisfies kardianos/service's Interface, whose Start and Stop
// are only called by its Run, which svunit does not use: 'svunit daemon'
// runs the manager.
type noProgram struct{}

func (noProgram) Start(kservice.Service) error { return nil }
func (noProgram) Stop(kservice.Service) error  { return nil }

// pick returns the first non-empty string.
func pick(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
