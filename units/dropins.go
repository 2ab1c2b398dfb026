package units

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// dropInDirs returns the drop-in directories of the unit called name whose
// file is in dir, the unit's own first: NAME.unit.d (NAME.service.d for a
// .service), then for an instance its template's TEMPLATE@.unit.d.
func dropInDirs(dir, name string) []string {
	dirs := []string{filepath.Join(dir, name+".d")}
	if n, err := parseName(name); err == nil && n.instance != "" {
		dirs = append(dirs, filepath.Join(dir, n.prefix+"@"+n.suffix+".d"))
	}
	return dirs
}

// findDropIns lists the *.conf files of dirs, sorted by file name across
// all of them, as systemd applies them. A name in an earlier directory
// hides the same name in a later one (an instance's 10-x.conf replaces its
// template's), and a file linked to /dev/null or empty hides it and adds
// nothing. Dot-files and other entries are ignored; a directory that does
// not exist has no drop-ins.
func findDropIns(dirs []string) ([]string, ErrorList) {
	var errs ErrorList
	byName := map[string]string{}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		entries, err := os.ReadDir(d)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				errs.Addf(d, 0, "", "", "cannot read the drop-in directory: %v (fix its permissions, or remove it)", err)
			}
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if _, seen := byName[n]; seen || strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".conf") {
				continue
			}
			byName[n] = filepath.Join(d, n)
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var files []string
	for _, n := range names {
		p := byName[n]
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			errs.Addf(p, 0, "", "", "cannot read the drop-in: %v (fix it, or remove it)", err)
		case fi.Mode().IsRegular() && fi.Size() > 0:
			files = append(files, p)
		case fi.Mode().IsRegular() || isDevNull(fi):
			// Empty, or a link to /dev/null: masks the name, adds nothing.
		default:
			errs.Add(p, 0, "", "", "not a regular file (a drop-in must be a file or a symlink to one)")
		}
	}
	return files, errs
}

// isDevNull reports whether fi is /dev/null, which masks a drop-in.
func isDevNull(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// A dropInReader finds and parses the drop-ins of the units of one unit
// file, each file once: a template's drop-ins apply to all its instances.
type dropInReader struct {
	// present names the entries of the unit directory, when the caller
	// has listed it (LoadDir), so that the many units without drop-ins
	// cost no lookup; nil means look on disk.
	present map[string]bool
	parsed  map[string][]option // drop-in file → its options
}

// read returns the options of the drop-ins of the unit called name whose
// file is in dir, in the order they apply, and the drop-in files.
func (r *dropInReader) read(dir, name string) ([]option, []string, ErrorList) {
	dirs := dropInDirs(dir, name)
	for i, d := range dirs {
		if r.present != nil && !r.present[filepath.Base(d)] {
			dirs[i] = ""
		}
	}
	files, errs := findDropIns(dirs)
	var opts []option
	for _, f := range files {
		o, ok := r.parsed[f]
		if !ok {
			var ferrs ErrorList
			o, ferrs = readDropIn(f)
			errs = append(errs, ferrs...)
			if r.parsed == nil {
				r.parsed = map[string][]option{}
			}
			r.parsed[f] = o
		}
		opts = append(opts, o...)
	}
	return opts, files, errs
}

// readDropIn parses one drop-in file; its options carry its path.
func readDropIn(path string) ([]option, ErrorList) {
	data, err := os.ReadFile(path)
	if err != nil {
		var errs ErrorList
		errs.Addf(path, 0, "", "", "cannot read the drop-in: %v (fix it, or remove it)", err)
		return nil, errs
	}
	opts, _, errs := readOptions(path, data)
	for i := range opts {
		opts[i].file = path
	}
	return opts, errs
}

// Owns reports whether file defines u: it is u's unit file or a drop-in in
// one of u's drop-in directories (loaded or not), so an error in file is an
// error of u.
func (u *Unit) Owns(file string) bool {
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	if file == u.Path {
		return true
	}
	for _, d := range dropInDirs(filepath.Dir(u.Path), u.Name) {
		if filepath.Dir(file) == d || file == d {
			return true
		}
	}
	return false
}

// DropIns returns the drop-in files of the unit called name ("web.unit",
// "worker@2.unit") whose unit file is in dir, in the order they apply, as
// the loader finds them; `svunit cat` prints them after the unit file.
func DropIns(dir, name string) ([]string, error) {
	files, errs := findDropIns(dropInDirs(dir, name))
	return files, errs.Err()
}
