package usermgmt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Format is the syntax of a policy file.
type Format int

// The policy file formats. JSON files are read as the YAML they also are,
// after a strict JSON syntax check, so that problems carry lines in both.
const (
	YAML Format = iota + 1
	JSON
)

// String returns "yaml" or "json".
func (f Format) String() string {
	switch f {
	case YAML:
		return "yaml"
	case JSON:
		return "json"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// FormatOf returns the format a file name's extension says: .yaml and
// .yml are YAML, .json is JSON.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return YAML, nil
	case ".json":
		return JSON, nil
	}
	return 0, fmt.Errorf("usermgmt: %s: unknown policy file extension; want .yaml, .yml or .json", name)
}

// LoadOption configures [Load], [Parse] and [File.Compile].
type LoadOption func(*loadConfig)

type loadConfig struct {
	now       func() time.Time
	lookupEnv func(string) (string, bool)
	dir       string
	dirSet    bool
	name      string
	ctx       context.Context
}

// The loader's budgets: a policy file is small and shallow, and a file
// that is not is refused at once, before it costs time or memory.
const (
	// MaxFileSize is the largest policy file read, in bytes.
	MaxFileSize = 4 << 20
	// MaxNodes is the most values (mappings, lists, scalars) a file may
	// hold once its aliases are expanded: a few kilobytes of nested
	// aliases ("billion laughs") expand to billions.
	MaxNodes = 100_000
	// MaxDepth is the deepest nesting of mappings and lists.
	MaxDepth = 64
)

// WithContext makes loading stop, with ctx's error, when ctx is done.
func WithContext(ctx context.Context) LoadOption { return func(c *loadConfig) { c.ctx = ctx } }

// WithLookupEnv sets where ${VAR} references are looked up (default
// os.LookupEnv). Tests pass a map's lookup here.
func WithLookupEnv(lookup func(name string) (string, bool)) LoadOption {
	return func(c *loadConfig) {
		if lookup != nil {
			c.lookupEnv = lookup
		}
	}
}

// WithClock sets the clock the compiled criteria read the instant of
// evaluation from when matching (default time.Now): plans made at a given
// instant pass a clock that returns it.
func WithClock(now func() time.Time) LoadOption {
	return func(c *loadConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithDir sets the directory that relative paths in the file (selection
// files) are read from: by default the file's directory for [Load], the
// working directory for [Parse].
func WithDir(dir string) LoadOption {
	return func(c *loadConfig) { c.dir, c.dirSet = dir, true }
}

// WithName sets the file name shown in errors (default: the path for
// [Load], none for [Parse]).
func WithName(name string) LoadOption { return func(c *loadConfig) { c.name = name } }

func newLoadConfig(opts []LoadOption) loadConfig {
	c := loadConfig{now: time.Now, lookupEnv: os.LookupEnv, dir: ".", ctx: context.Background()}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Load reads the policy file at path, YAML or JSON by its extension, and
// compiles it (see [File.Compile]); [PolicySet.File] gives its data. A
// file that does not load returns a [*LoadError] with every problem
// found, each with its field path and line.
func Load(path string, opts ...LoadOption) (*PolicySet, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("usermgmt: %w", err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err != nil {
		return nil, fmt.Errorf("usermgmt: %w", err)
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("usermgmt: %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("usermgmt: %w", err)
	}
	return Parse(data, format, append([]LoadOption{WithName(path), WithDir(filepath.Dir(path))}, opts...)...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a policy file held in data and compiles it, as [Load]. A
// file that does not load returns a [*LoadError] with every problem
// found, each with its field path and line.
func Parse(data []byte, format Format, opts ...LoadOption) (*PolicySet, error) {
	cfg := newLoadConfig(opts)
	ps := &problems{lines: map[string]int{}}
	if len(data) > MaxFileSize {
		return nil, &LoadError{File: cfg.name, Problems: []Problem{{Msg: fmt.Sprintf("the file is over %d bytes; a policy file is smaller", MaxFileSize)}}}
	}
	if err := cfg.ctx.Err(); err != nil {
		return nil, err
	}
	switch format {
	case YAML:
	case JSON:
		if !json.Valid(data) {
			var x any
			err := json.Unmarshal(data, &x)
			p := Problem{Msg: "invalid JSON"}
			if se, ok := errors.AsType[*json.SyntaxError](err); ok {
				p.Line = bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n")) + 1
				p.Msg = "invalid JSON: " + se.Error()
			}
			return nil, &LoadError{File: cfg.name, Problems: []Problem{p}}
		}
	default:
		return nil, fmt.Errorf("usermgmt: unknown format %v", format)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p := Problem{Msg: err.Error()}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Msg = m[2]
		}
		return nil, &LoadError{File: cfg.name, Problems: []Problem{p}}
	}
	if len(doc.Content) == 0 {
		return nil, &LoadError{File: cfg.name, Problems: []Problem{{Msg: "empty file; a policy file starts with version: 1"}}}
	}
	if err := budget(cfg.ctx, doc.Content[0]); err != nil {
		if le, ok := errors.AsType[*LoadError](err); ok {
			le.File = cfg.name
		}
		return nil, err
	}
	f := &File{}
	d := decoder{ps: ps, lines: ps.lines}
	d.decode("", doc.Content[0], reflect.ValueOf(f).Elem())
	f.lines = ps.lines
	return f.compile(cfg, ps)
}

// budget walks the document as the decoder will, aliases expanded, and
// refuses one with more than MaxNodes values or deeper than MaxDepth, or
// when ctx is done. It stops as soon as a budget is exceeded, so that it
// costs at most MaxNodes steps.
func budget(ctx context.Context, root *yaml.Node) error {
	type item struct {
		n     *yaml.Node
		depth int
	}
	stack := []item{{root, 1}}
	nodes := 0
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		for hops := 0; n.Kind == yaml.AliasNode && n.Alias != nil; hops++ {
			if hops > MaxDepth {
				return &LoadError{Problems: []Problem{{Line: it.n.Line, Msg: "aliases refer to each other in a loop"}}}
			}
			n = n.Alias
		}
		nodes++
		if nodes > MaxNodes {
			return &LoadError{Problems: []Problem{{Line: n.Line, Msg: fmt.Sprintf("the document holds more than %d values once its aliases are expanded; a policy file is smaller", MaxNodes)}}}
		}
		if it.depth > MaxDepth {
			return &LoadError{Problems: []Problem{{Line: n.Line, Msg: fmt.Sprintf("nested deeper than %d levels", MaxDepth)}}}
		}
		if nodes%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for _, c := range n.Content {
			stack = append(stack, item{c, it.depth + 1})
		}
	}
	return nil
}
