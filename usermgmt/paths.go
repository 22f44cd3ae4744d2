package usermgmt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// insidePath resolves rel, a path a policy file gives (a selection file,
// a report file), inside base, the policy file's directory (or the base
// [WithDir] sets): an absolute path, a path that leaves base through
// "..", or one whose symbolic links lead out of base is an error, and so
// is anything but a regular file (a device, a pipe, a directory). A file
// read must exist (write false); a file written may not exist yet, and its
// nearest existing directory must lie inside base. It returns the path
// to open.
func insidePath(base, rel string, write bool) (string, error) {
	if filepath.IsAbs(rel) {
		return "", fmt.Errorf("%s is an absolute path; give a path relative to the policy file's directory", rel)
	}
	clean := filepath.Clean(rel)
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s leaves the policy file's directory", rel)
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		return "", err
	}
	realBase, err := filepath.EvalSymlinks(absBase)
	if err != nil {
		return "", fmt.Errorf("the policy file's directory: %w", err)
	}
	full := filepath.Join(absBase, clean)
	real, err := filepath.EvalSymlinks(full)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist) && !write:
		return "", fmt.Errorf("file %s does not exist", filepath.Join(base, clean))
	case errors.Is(err, fs.ErrNotExist):
		// The nearest directory that exists must be inside base.
		dir := filepath.Dir(full)
		for {
			r, err := filepath.EvalSymlinks(dir)
			if err == nil {
				if !within(realBase, r) {
					return "", fmt.Errorf("%s leads outside the policy file's directory (through %s)", rel, r)
				}
				return full, nil
			}
			if !errors.Is(err, fs.ErrNotExist) || dir == filepath.Dir(dir) {
				return "", err
			}
			dir = filepath.Dir(dir)
		}
	default:
		return "", err
	}
	if !within(realBase, real) {
		return "", fmt.Errorf("%s leads outside the policy file's directory (to %s)", rel, real)
	}
	st, err := os.Stat(real)
	switch {
	case err != nil:
		return "", err
	case st.IsDir():
		return "", fmt.Errorf("%s is a directory, not a file", filepath.Join(base, clean))
	case !st.Mode().IsRegular():
		return "", fmt.Errorf("%s is not a regular file (%s)", filepath.Join(base, clean), st.Mode().Type())
	}
	return real, nil
}

// within reports whether path is base or inside it.
func within(base, path string) bool {
	r, err := filepath.Rel(base, path)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}
