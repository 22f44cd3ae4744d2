package usermgmt

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
)

// SinkFile is a file a policy's report sink writes.
type SinkFile struct {
	Policy string
	Type   SinkType
	// Path is where the file is written: a relative path of the policy
	// file resolves against the policy file's directory (not the current
	// directory).
	Path string
}

// SinkFiles returns the files the sinks of the named policies write (all
// policies when none is named), in the order of the file, with their
// paths resolved as the reports write them.
func (f *File) SinkFiles(names ...string) []SinkFile {
	var out []SinkFile
	for i := range f.Policies {
		p := &f.Policies[i]
		if len(names) > 0 && !slices.Contains(names, p.Name) {
			continue
		}
		for _, s := range p.Reporting.Sinks {
			if s.Path != "" {
				out = append(out, SinkFile{Policy: p.Name, Type: s.Type, Path: f.sinkPath(s.Path)})
			}
		}
	}
	return out
}

// sinkPath resolves a sink's path as Manager.sinks does.
func (f *File) sinkPath(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	dir := f.dir
	abs, err := filepath.Abs(filepath.Join(dir, path))
	if err != nil {
		return filepath.Join(dir, path)
	}
	return abs
}

// sharedSinkFiles reports the sinks of two policies (or two sinks of one)
// that write the same file: their reports would interleave in one file.
func (f *File) sharedSinkFiles(ps *problems) {
	first := map[string]string{} // file → path of the first sink writing it
	for i := range f.Policies {
		p := &f.Policies[i]
		for j, s := range p.Reporting.Sinks {
			if s.Path == "" {
				continue
			}
			path := "policies[" + strconv.Itoa(i) + "].reporting.sinks[" + strconv.Itoa(j) + "].path"
			file := f.sinkPath(s.Path)
			if other, ok := first[file]; ok {
				ps.addf(path, "%s is also written by %s; give each sink its own file", s.Path, other)
				continue
			}
			first[file] = path
		}
	}
}

// mergeSinkFiles is sharedSinkFiles for merged files, as an error.
func (f *File) mergeSinkFiles() error {
	ps := &problems{}
	f.sharedSinkFiles(ps)
	if len(ps.list) > 0 {
		return fmt.Errorf("usermgmt: merge: %s", ps.list[0].Msg)
	}
	return nil
}
