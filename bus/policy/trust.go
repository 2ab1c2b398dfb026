package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"svunit.dev/svunit/units"
)

// CheckTrusted reports an error when anyone but root could change what p
// holds: p (after symlinks) or a directory above it is not owned by root,
// or is writable by its group (other than root's group 0) or by everyone.
// A world-writable directory with the sticky bit (/tmp) is fine, as its
// entries can only be renamed by their owners. A path that does not exist
// yet is judged by the directories that would hold it. This is sudo's rule
// for sudoers, applied to everything a root manager runs from.
func CheckTrusted(p string) error {
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	for {
		real, err := filepath.EvalSymlinks(abs)
		if err == nil {
			abs = real
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || abs == "/" {
			return fmt.Errorf("cannot check who may change %s: %v", p, err)
		}
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if err := checkOwner(dir, dir == abs); err != nil {
			return err
		}
		if dir == "/" {
			return nil
		}
	}
}

// checkOwner applies the rule to one path; leaf is the path itself rather
// than a directory above it.
func checkOwner(p string, leaf bool) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("cannot check who may change %s: %v", p, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("cannot read the owner of %s on this system", p)
	}
	mode := fi.Mode()
	sticky := mode.IsDir() && mode&os.ModeSticky != 0 && !leaf
	why := fmt.Sprintf("refused: a root manager only reads what only root can change (chown root:root %s and chmod go-w %s)", p, p)
	switch {
	case st.Uid != 0:
		return fmt.Errorf("%s is owned by %s, not root; %s", p, ownerName(st.Uid), why)
	case mode&0o002 != 0 && !sticky:
		return fmt.Errorf("%s is writable by everyone (mode %04o); %s", p, mode.Perm(), why)
	case mode&0o020 != 0 && st.Gid != 0:
		return fmt.Errorf("%s is writable by group %s (mode %04o); %s", p, groupName(st.Gid), mode.Perm(), why)
	}
	return nil
}

func ownerName(uid uint32) string {
	return fmt.Sprintf("uid %d%s", uid, userSuffix(uid))
}

func groupName(gid uint32) string {
	s := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(s); err == nil {
		return g.Name + " (" + s + ")"
	}
	return s
}

// LoadDir is units.LoadDir for a root manager: it refuses a unit directory
// anyone but root could change, and every unit whose file (or
// EnvironmentFile=) is such, reporting each as an error of that file. The
// good units still load, as with any bad unit file.
func LoadDir(dir string) (*units.Set, error) {
	if err := CheckTrusted(dir); err != nil {
		var errs units.ErrorList
		errs.Addf(dir, 0, "", "", "unit directory: %v", err)
		set, _ := units.NewSet(nil)
		return set, errs.Err()
	}
	set, err := units.LoadDir(dir)
	if set == nil {
		return set, err
	}
	var errs units.ErrorList
	if !errors.As(err, &errs) && err != nil {
		return set, err
	}
	var kept []*units.Unit
	refused := map[string]bool{}
	for _, u := range set.Units() {
		if why := untrusted(u); why != nil {
			if !refused[u.Path] { // instances of a template share its file
				errs.Addf(u.Path, 0, "", "", "%v", why)
			}
			refused[u.Path] = true
			continue
		}
		kept = append(kept, u)
	}
	if len(refused) == 0 {
		return set, err
	}
	trusted, serr := units.NewSet(kept)
	var more units.ErrorList
	if errors.As(serr, &more) {
		errs = append(errs, more...)
	}
	if trusted == nil {
		trusted, _ = units.NewSet(nil)
	}
	return trusted, errs.Err()
}

// untrusted says why anyone but root could change a file of u (its unit
// file, drop-ins and their directories, EnvironmentFile=); nil when nobody
// could.
func untrusted(u *units.Unit) error {
	files := append([]string{u.Path}, u.DropInPaths...)
	for _, e := range u.Service.EnvironmentFiles {
		files = append(files, e.Path)
	}
	for _, f := range files {
		if err := CheckTrusted(f); err != nil {
			return err
		}
	}
	return nil
}
