package criteria

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/seatwarden/seatwarden/jira"
)

// Explanation says why a user matched a criterion or not: the result, and
// for each top-level clause (the operands of the outermost && chain) whether
// it held and with what values.
type Explanation struct {
	// Criterion is the source of the criterion.
	Criterion string
	// Matched is the result of [Program.MatchAt] for the same user and
	// instant; Err is its error, if any (then Matched is false).
	Matched bool
	Err     error
	// Clauses are the top-level clauses, in source order. Every clause is
	// evaluated, even after one fails.
	Clauses []ClauseResult
}

// ClauseResult is one clause of an [Explanation].
type ClauseResult struct {
	// Expr is the clause as printed by expr; a negated variable or call is
	// shown without its negation, and Detail gives its value.
	Expr string
	// Held reports whether the clause (with its negation) held.
	Held bool
	// Detail shows the values: "214 > 90" for a comparison, "false" for a
	// variable or call, "neverLoggedIn = false → 214 > 90" for a ternary,
	// or why a value is unknown ("last login unknown").
	Detail string
	// Unknown is set when the clause failed because a value it reads is
	// unknown for the user.
	Unknown bool
	// Err is the runtime error of the clause, if any.
	Err error
}

// String returns the clause as `daysSinceLastLogin > 90: 214 > 90 ✓`.
func (c ClauseResult) String() string {
	mark := "✗"
	if c.Held {
		mark = "✓"
	}
	return c.Expr + ": " + c.Detail + " " + mark
}

// String returns the clauses separated by "; ".
func (e Explanation) String() string {
	parts := make([]string, len(e.Clauses))
	for i, c := range e.Clauses {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// clause is a top-level clause compiled for explanations.
type clause struct {
	text string
	held *vm.Program
	show *part
	err  error
}

// part computes the detail of (a part of) a clause.
type part struct {
	g           guard
	value       *vm.Program // a value, or the condition of a ternary
	left, right *vm.Program // operands of a comparison
	op          string
	condText    string
	branches    [2]*part
}

func isComparison(op string) bool {
	switch op {
	case "==", "!=", "<", ">", "<=", ">=", "in", "contains", "startsWith", "endsWith", "matches":
		return true
	}
	return false
}

// prepareExplain splits the criterion into its clauses and compiles the
// programs that show their values. It runs once per program, on first use.
func (p *Program) prepareExplain() {
	tree, err := parser.Parse(p.src)
	if err != nil {
		p.clauses = []*clause{{text: p.src, err: err}}
		return
	}
	var nodes []ast.Node
	var split func(n ast.Node)
	split = func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && isAnd(b.Operator) {
			split(b.Left)
			split(b.Right)
			return
		}
		nodes = append(nodes, n)
	}
	split(tree.Node)
	for _, n := range nodes {
		c := &clause{text: n.String()}
		p.clauses = append(p.clauses, c)
		b, err := p.build(c.text, buildClause)
		if err != nil {
			c.err = err
			continue
		}
		c.held = b.prog
		inner := n
		if u, ok := n.(*ast.UnaryNode); ok && isNot(u.Operator) {
			inner = u.Node
			switch inner.(type) {
			case *ast.IdentifierNode, *ast.CallNode, *ast.MemberNode, *ast.BuiltinNode:
				c.text = inner.String()
			}
		}
		c.show, c.err = p.describe(inner)
	}
}

func (p *Program) describe(n ast.Node) (*part, error) {
	pt := &part{g: guardsOf(n)}
	var err error
	switch x := n.(type) {
	case *ast.BinaryNode:
		if isComparison(x.Operator) {
			pt.op = x.Operator
			if pt.left, err = p.value(x.Left); err != nil {
				return nil, err
			}
			pt.right, err = p.value(x.Right)
			return pt, err
		}
	case *ast.ConditionalNode:
		pt.g = guardsOf(x.Cond)
		pt.condText = x.Cond.String()
		if pt.value, err = p.value(x.Cond); err != nil {
			return nil, err
		}
		for i, b := range []ast.Node{x.Exp1, x.Exp2} {
			if pt.branches[i], err = p.describe(b); err != nil {
				return nil, err
			}
		}
		return pt, nil
	}
	pt.value, err = p.value(n)
	return pt, err
}

// value compiles n to show its value.
func (p *Program) value(n ast.Node) (*vm.Program, error) {
	c, err := p.build(n.String(), buildValue)
	return c.prog, err
}

// Explain evaluates every top-level clause of the criterion for *u at
// instant now and reports which held and with what values, so that a report
// can say why the user was selected or not. For a nil u it reports only
// the error of [Program.MatchAt].
func (p *Program) Explain(u *jira.User, now time.Time) Explanation {
	ex := Explanation{Criterion: p.src}
	ex.Matched, ex.Err = p.MatchAt(u, now)
	if u == nil {
		return ex
	}
	p.explainOnce.Do(p.prepareExplain)

	env := newEnv(p.opts.loc)
	env.fill(u, now, vocabulary().all)
	var m vm.VM
	for _, c := range p.clauses {
		r := ClauseResult{Expr: c.text}
		if c.err != nil {
			r.Detail, r.Err = "cannot explain: "+c.err.Error(), c.err
			ex.Clauses = append(ex.Clauses, r)
			continue
		}
		out, err := m.Run(c.held, env)
		if err != nil {
			r.Detail, r.Err = "error: "+firstLine(err.Error()), err
			ex.Clauses = append(ex.Clauses, r)
			continue
		}
		r.Held = out == true
		r.Detail, r.Unknown = p.render(&m, c.show, u, env, r.Held)
		ex.Clauses = append(ex.Clauses, r)
	}
	return ex
}

// render returns the detail of a part; when the clause did not hold and a
// value the part reads is unknown, it says which, and unknown is true.
func (p *Program) render(m *vm.VM, pt *part, u *jira.User, env *Env, held bool) (detail string, unknown bool) {
	if !held {
		if why := pt.g.reason(u); why != "" {
			return why, true
		}
	}
	eval := func(prog *vm.Program) string {
		v, err := m.Run(prog, env)
		if err != nil {
			return "error: " + firstLine(err.Error())
		}
		return formatValue(v)
	}
	switch {
	case pt.left != nil:
		return eval(pt.left) + " " + pt.op + " " + eval(pt.right), false
	case pt.branches[0] != nil:
		v, err := m.Run(pt.value, env)
		if err != nil {
			return pt.condText + ": error: " + firstLine(err.Error()), false
		}
		b := pt.branches[1]
		if v == true {
			b = pt.branches[0]
		}
		d, unk := p.render(m, b, u, env, held)
		return pt.condText + " = " + formatValue(v) + " → " + d, unk
	default:
		return eval(pt.value), false
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// formatValue shows a value in an explanation, shortened to 80 characters.
func formatValue(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "nil"
	case string:
		s = strconv.Quote(x)
	case time.Time:
		if x.IsZero() {
			s = "zero time"
		} else {
			s = x.Format(time.RFC3339)
		}
	case []string:
		q := make([]string, len(x))
		for i, e := range x {
			q[i] = strconv.Quote(e)
		}
		s = "[" + strings.Join(q, ", ") + "]"
	case []any:
		q := make([]string, len(x))
		for i, e := range x {
			q[i] = formatValue(e)
		}
		s = "[" + strings.Join(q, ", ") + "]"
	case map[string]time.Time:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		q := make([]string, len(keys))
		for i, k := range keys {
			q[i] = strconv.Quote(k) + ": " + formatValue(x[k])
		}
		s = "{" + strings.Join(q, ", ") + "}"
	default:
		s = fmt.Sprint(x)
	}
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:79]) + "…"
	}
	return s
}

// Why returns the explanation of the criterion for u at now as one line,
// [Explanation.String]: what a plan records as the reason a user was
// selected. It satisfies the Explainer interface of package actions.
func (p *Program) Why(u *jira.User, now time.Time) string { return p.Explain(u, now).String() }
