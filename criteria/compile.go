package criteria

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Compile parses and type-checks a criterion and compiles it for
// evaluation. The criterion must be a bool expression over the variables
// and functions of [Env] (see the package documentation). A syntax or type
// error is a [*CompileError] that points at the mistake.
func Compile(src string, opts ...Option) (*Program, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	if len(src) > o.maxBytes {
		return nil, &CompileError{Msg: fmt.Sprintf("criterion is %d bytes long, more than the limit of %d", len(src), o.maxBytes)}
	}
	if strings.TrimSpace(src) == "" {
		return nil, &CompileError{Msg: "empty criterion"}
	}
	p := &Program{src: src, opts: o, fns: &funcs{loc: o.loc}}
	c, err := p.build(src, buildCriterion)
	if err != nil {
		return nil, err
	}
	p.prog, p.fast, p.fastToday, p.fills = c.prog, c.fast, c.fastToday, c.fills
	p.needs = analyse(c.original)
	p.pool.New = func() any { return &state{env: newEnv(o.loc)} }
	return p, nil
}

// MustCompile is like [Compile] but panics on error. It is meant for
// criteria written in Go source and for tests.
func MustCompile(src string, opts ...Option) *Program {
	p, err := Compile(src, opts...)
	if err != nil {
		panic(err)
	}
	return p
}

// config returns the expr configuration every criterion is compiled with.
func (p *Program) config(kind buildKind) *conf.Config {
	cfg := conf.CreateNew()
	opts := []expr.Option{
		expr.Env(Env{}),
		expr.DisableBuiltin("now"),
		expr.MaxNodes(uint(p.opts.maxNodes)),
	}
	opts = append(opts, p.fns.options()...)
	switch kind {
	case buildCriterion:
		opts = append(opts, expr.AsBool(), expr.WarnOnAny())
	case buildClause:
		opts = append(opts, expr.AsBool())
	default:
		opts = append(opts, expr.AsAny())
	}
	for _, opt := range opts {
		opt(cfg)
	}
	for name := range cfg.Disabled {
		delete(cfg.Builtins, name)
	}
	cfg.Check()
	return cfg
}

// buildKind says what build compiles: a whole criterion (bool, never any),
// a clause of one (bool or any) or a value to show in an explanation (any,
// unknown values not guarded).
type buildKind int

const (
	buildCriterion buildKind = iota
	buildClause
	buildValue
)

// compiled is the result of build.
type compiled struct {
	prog      *vm.Program
	fast      boolFn   // nil when the criterion is outside the fast path
	fastToday bool     // fast reads frame.today
	original  ast.Node // the tree as written, unchecked
	// fills are the Env fills that prog reads (see Env.fillFrom).
	fills fillSet
}

// build compiles src: parse, check the source as written (so that errors
// point into it), validate literal arguments, optionally guard unknown
// values, then patch, re-check, optimise and compile. It returns the
// parsed tree as written, for analysis.
func (p *Program) build(src string, kind buildKind) (compiled, error) {
	cfg := p.config(kind)
	tree, err := parser.ParseWithConfig(src, cfg)
	if err != nil {
		return compiled{}, newCompileError(src, err)
	}
	original, err := parser.ParseWithConfig(src, cfg)
	if err != nil {
		return compiled{}, newCompileError(src, err)
	}
	if err := p.validate(src, tree.Node); err != nil {
		return compiled{}, err
	}
	if _, err := checker.Check(tree, cfg); err != nil {
		return compiled{}, newCompileError(src, err)
	}
	if kind != buildValue {
		tree.Node = guardUnknowns(tree.Node, false)
		if n := countNodes(tree.Node); n > 4*p.opts.maxNodes {
			return compiled{}, &CompileError{Msg: fmt.Sprintf("criterion is too complex (%d nodes after guarding unknown values)", n)}
		}
	}
	ast.Walk(&tree.Node, patchMatches{})
	if _, err := new(checker.Checker).PatchAndCheck(tree, cfg); err != nil {
		return compiled{}, fmt.Errorf("criteria: internal error checking %q: %w", src, err)
	}
	names := map[string]bool{}
	identifiers(tree.Node, func(id *ast.IdentifierNode) { names[id.Value] = true })
	var fast boolFn
	fc := fastCompiler{loc: p.opts.loc}
	if kind == buildCriterion {
		fast, _ = fc.bool(tree.Node, false)
	}
	if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
		return compiled{}, newCompileError(src, err)
	}
	prog, err := compiler.Compile(tree, cfg)
	if err != nil {
		return compiled{}, fmt.Errorf("criteria: internal error compiling %q: %w", src, err)
	}
	return compiled{prog: prog, fast: fast, fastToday: fc.today, original: original.Node, fills: fillsOf(names)}, nil
}

// validate rejects what the language leaves out and checks literal
// arguments: dates of before/after are parsed (and cached) now.
func (p *Program) validate(src string, root ast.Node) error {
	var err error
	ast.Walk(&root, visitFunc(func(node *ast.Node) {
		if err != nil {
			return
		}
		switch n := (*node).(type) {
		case *ast.IdentifierNode:
			if n.Value == "$env" {
				err = compileErrorAt(src, n, "$env is not part of the criteria language")
			}
		case *ast.CallNode:
			id, ok := n.Callee.(*ast.IdentifierNode)
			if ok && id.Value == "date" && len(n.Arguments) == 1 {
				if s, ok := n.Arguments[0].(*ast.StringNode); ok {
					if _, e := p.fns.instants.get(s.Value, p.fns.parseInstant); e != nil {
						err = compileErrorAt(src, s, strings.TrimPrefix(e.Error(), "criteria: "))
					}
				}
				return
			}
			if !ok || (id.Value != "before" && id.Value != "after") || len(n.Arguments) != 2 {
				return
			}
			if s, ok := n.Arguments[1].(*ast.StringNode); ok {
				if _, e := p.fns.dates.get(s.Value, p.fns.parseDate); e != nil {
					err = compileErrorAt(src, s, strings.TrimPrefix(e.Error(), "criteria: "))
				}
			}
		}
	}))
	return err
}

// Needs is what a criterion reads from a user, found by static analysis,
// so that a snapshot fetches nothing more. The identity fields, active,
// display name, email, account type and directory come with every user
// and are not listed.
type Needs struct {
	// Groups lists, sorted, the groups named by literal arguments of
	// inGroup, inAnyGroup and inAllGroups.
	Groups []string
	// AllGroups is set when the criterion reads the groups variable or
	// names a group by a non-literal argument: every group is needed.
	AllGroups bool
	// Licences is set when the criterion reads licences or calls hasLicence.
	Licences bool
	// Created is set when the criterion reads the creation time.
	Created bool
	// LastLogin is set when the criterion reads the last login
	// (lastLogin, lastLoginKnown, neverLoggedIn, daysSinceLastLogin).
	LastLogin bool
	// LoginCount is set when the criterion reads loginCount or
	// loginCountKnown.
	LoginCount bool
	// LastActive is set when the criterion reads product activity
	// (lastActive, lastActiveKnown, daysSinceLastActive).
	LastActive bool
	// Properties lists, sorted, the entity properties named by literal
	// arguments of property.
	Properties []string
	// AllProperties is set when the criterion reads the properties
	// variable or names a property by a non-literal argument.
	AllProperties bool
}

// analyse finds what a criterion reads, from its tree as written: what
// the vocabulary says each variable needs fetched, and the groups and
// properties named by literal arguments.
func analyse(root ast.Node) Needs {
	v := vocabulary()
	var nd Needs
	ast.Walk(&root, visitFunc(func(node *ast.Node) {
		switch n := (*node).(type) {
		case *ast.IdentifierNode:
			if r, ok := v.vars[n.Value]; ok {
				nd.add(r.fetch)
			}
		case *ast.CallNode:
			id, ok := n.Callee.(*ast.IdentifierNode)
			if !ok {
				return
			}
			f, ok := v.funcs[id.Value]
			if !ok {
				return
			}
			if f.reads != "" {
				nd.add(v.vars[f.reads].fetch &^ (fetchGroups | fetchProperties))
			}
			args := n.Arguments
			switch f.args {
			case argNone:
				return
			case argProperties:
				args = args[:min(1, len(args))]
			}
			for _, a := range args {
				s, lit := a.(*ast.StringNode)
				switch {
				case lit && f.args == argGroups:
					nd.Groups = append(nd.Groups, s.Value)
				case lit:
					nd.Properties = append(nd.Properties, s.Value)
				case f.args == argGroups:
					nd.AllGroups = true
				default:
					nd.AllProperties = true
				}
			}
		}
	}))
	slices.Sort(nd.Groups)
	nd.Groups = slices.Compact(nd.Groups)
	slices.Sort(nd.Properties)
	nd.Properties = slices.Compact(nd.Properties)
	return nd
}

// state is the per-evaluation scratch space, pooled per program.
type state struct {
	env *Env
	vm  vm.VM
}

// Program is a compiled criterion. It is safe for concurrent use.
type Program struct {
	src  string
	opts options
	fns  *funcs
	prog *vm.Program
	fast boolFn
	// fastToday is set when fast reads the day number of the instant.
	fastToday bool
	needs     Needs
	// fills are the Env fills the VM reads (see Env.fillFrom).
	fills fillSet
	pool  sync.Pool

	explainOnce sync.Once
	clauses     []*clause
}

// String returns the source of the criterion.
func (p *Program) String() string { return p.src }

// Needs reports what the criterion reads from a user.
func (p *Program) Needs() Needs {
	n := p.needs
	n.Groups = slices.Clone(n.Groups)
	n.Properties = slices.Clone(n.Properties)
	return n
}

var errNotBool = errors.New("criteria: result is not a bool")
