package usermgmt

import (
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong in a policy file.
type Problem struct {
	// Path is the field, e.g. "policies[2].users.where"; empty for the
	// file as a whole.
	Path string
	// Line is the line of the field in the file (from 1); 0 when the
	// file was built in Go or the YAML library does not give it.
	Line int
	// Msg says what is wrong. It never holds a secret: a literal secret
	// is reported by field, not by value.
	Msg string
	// Err is the underlying error, if any: a *criteria.CompileError for a
	// criterion.
	Err error
}

// String returns "line 12: policies[2].users.where: msg", without the
// line when it is unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// LoadError is a policy file that does not load: every problem found in
// it: first those of its syntax and types, in the order of the file, then
// those of its values, field by field.
type LoadError struct {
	// File is the file's name, or "" when parsed from memory.
	File     string
	Problems []Problem
}

// Error returns "usermgmt: FILE: N problems:" followed by one problem a
// line, each as "FILE:LINE: path: msg".
func (e *LoadError) Error() string {
	name := e.File
	if name == "" {
		name = "policy file"
	}
	var b strings.Builder
	if len(e.Problems) == 1 {
		fmt.Fprintf(&b, "usermgmt: %s: 1 problem:", name)
	} else {
		fmt.Fprintf(&b, "usermgmt: %s: %d problems:", name, len(e.Problems))
	}
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		if p.Line > 0 {
			fmt.Fprintf(&b, "%s:%d: ", name, p.Line)
		}
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// problems collects the problems of a file, locating each by its path.
type problems struct {
	list  []Problem
	lines map[string]int
}

func (ps *problems) add(path string, err error, format string, a ...any) {
	ps.list = append(ps.list, Problem{Path: path, Line: ps.line(path), Msg: fmt.Sprintf(format, a...), Err: err})
}

func (ps *problems) addf(path, format string, a ...any) { ps.add(path, nil, format, a...) }

// has reports whether a problem was found at path itself (e.g. a value of
// the wrong type), so that no second problem is reported for it.
func (ps *problems) has(path string) bool {
	return slices.ContainsFunc(ps.list, func(p Problem) bool { return p.Path == path })
}

// line finds the line of path, or of its nearest ancestor that has one.
func (ps *problems) line(path string) int {
	for path != "" {
		if l, ok := ps.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func (ps *problems) err(file string) error {
	if len(ps.list) == 0 {
		return nil
	}
	return &LoadError{File: file, Problems: slices.Clone(ps.list)}
}
