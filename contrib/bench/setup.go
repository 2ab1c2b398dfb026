//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// findSystems locates or prepares every system: supervisord (installed from
// Debian when missing), svunit (built from this checkout), s6 and runit
// (measured when installed).
func (b *bench) findSystems() error {
	sup, err := b.supervisor()
	if err != nil {
		return err
	}
	sv, err := b.buildSvunit()
	if err != nil {
		return err
	}
	b.systems = []system{sup, sv}
	for _, s := range []struct {
		col, pkg string
		bins     []string
		make     func(map[string]string) system
	}{
		{colS6, "s6", []string{"s6-svscan", "s6-svscanctl", "s6-svstat"}, func(p map[string]string) system { return newS6(p) }},
		{colRunit, "runit", []string{"runsvdir", "sv"}, func(p map[string]string) system { return newRunit(p) }},
	} {
		paths := map[string]string{}
		for _, bin := range s.bins {
			if p, err := exec.LookPath(bin); err == nil {
				paths[bin] = p
			}
		}
		if len(paths) < len(s.bins) {
			b.missing[s.col] = fmt.Sprintf("Debian's %s is not installed", s.pkg)
			continue
		}
		b.systems = append(b.systems, s.make(paths))
		b.versions[s.col] = dpkgVersion(s.pkg)
	}
	return nil
}

// supervisor finds supervisord and supervisorctl, installing Debian's
// supervisor package when they are missing.
func (b *bench) supervisor() (system, error) {
	d, err1 := exec.LookPath("supervisord")
	c, err2 := exec.LookPath("supervisorctl")
	if err1 != nil || err2 != nil {
		b.logf("supervisord not found: installing Debian's supervisor package")
		if err := aptInstall(b.ctx, "supervisor"); err != nil {
			return nil, err
		}
		if d, err1 = exec.LookPath("supervisord"); err1 != nil {
			return nil, fmt.Errorf("supervisord still missing after installing supervisor: %v", err1)
		}
		if c, err2 = exec.LookPath("supervisorctl"); err2 != nil {
			return nil, fmt.Errorf("supervisorctl still missing after installing supervisor: %v", err2)
		}
	}
	out, err := exec.Command(d, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %v", d, err)
	}
	b.versions[colSup] = strings.TrimSpace(string(out))
	return supervisord{daemon: d, ctl: c}, nil
}

// aptInstall installs Debian packages with apt-get.
func aptInstall(ctx context.Context, pkgs ...string) error {
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("install %s: no apt-get here; install Supervisor 4 by hand", strings.Join(pkgs, " "))
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for _, args := range [][]string{{"update", "-qq"}, append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)} {
		if err := runTool(ctx, append([]string{"env", "DEBIAN_FRONTEND=noninteractive", "apt-get"}, args...)); err != nil {
			return err
		}
	}
	return nil
}

// buildSvunit builds ./cmd/svunit of the checkout the harness runs from
// into the run directory, unless --svunit names a binary.
func (b *bench) buildSvunit() (system, error) {
	bin := b.opt.svunit
	if bin == "" {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		mod := strings.TrimSpace(string(out))
		if err != nil || mod == "" || mod == os.DevNull {
			return nil, fmt.Errorf("find the svunit checkout: run from inside it, or pass --svunit PATH (go env GOMOD: %q, %v)", mod, err)
		}
		bin = filepath.Join(b.dir, "svunit")
		if err := runTool(b.ctx, []string{"go", "-C", filepath.Dir(mod), "build", "-o", bin, "./cmd/svunit"}); err != nil {
			return nil, fmt.Errorf("build svunit from the checkout (or pass --svunit PATH): %v", err)
		}
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s version: %v: %s", bin, err, out)
	}
	b.versions[colSvunit] = strings.TrimSpace(string(out))
	if b.opt.svunit == "" {
		if rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
			b.versions[colSvunit] += " at commit " + strings.TrimSpace(string(rev))
		}
	}
	return svunitSys{bin: bin}, nil
}

func dpkgVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		return "unknown"
	}
	return pkg + " " + strings.TrimSpace(string(out))
}
