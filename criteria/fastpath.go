package criteria

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"

	"github.com/seatwarden/seatwarden/jira"
)

// The fast path. expr's VM boxes every value it loads from the environment
// and dispatches on dynamic types; for the common shape of a criterion —
// variables, literals, comparisons, &&, ||, !, ?:, and the group and
// licence functions — Compile also builds a tree of typed Go closures over
// the checked (and guarded) syntax tree. The closures read the *jira.User
// directly and compute each derived value (daysSinceLastLogin, emailDomain,
// the ...Known facts) inline, as [Env.fill] would, so an evaluation needs
// no Env and does not allocate. Anything outside that subset (arithmetic
// other than + - * on ints, builtins, closures, let, member access, …) runs
// on expr's VM, which stays the reference: both paths evaluate the same
// guarded tree, and FuzzMatch and TestFastPathAgreesWithVM check that they
// agree.
//
// Every fast-path expression is pure and total (no errors, no panics), so
// the operands of a chain of && or || may be reordered: the ...Known and
// other bool variables of a chain are tested together, first, with one
// call of facts.
//
// The closures read the variables with the functions of vocabulary_gen.go
// (facts, intOf, sinceOf, strOf, timeOf, equalsLower, listOf), generated
// from the vocabulary: direct code, no calls through function values at
// the leaves.

// frame is what an evaluation reads besides the user, computed once per
// call. It is passed by value so that nothing escapes to the heap.
type frame struct {
	now   time.Time // the instant of evaluation, without monotonic reading
	today int64     // the day number of now in the location; 0 when unused
}

type (
	boolFn func(*jira.User, frame) bool
	intFn  func(*jira.User, frame) int
	strFn  func(*jira.User, frame) string
	timeFn func(*jira.User, frame) time.Time
)

// fastCompiler builds the closures of one criterion.
type fastCompiler struct {
	loc *time.Location
	// today is set when a closure reads frame.today.
	today bool
}

// flags is a set of bool variables, which read the user directly: bit k
// is the variable numbered k in the vocabulary; [facts] (generated) reads
// them.
type flags uint32

// flagOf returns the flag of a bool variable, or 0.
func flagOf(name string) flags {
	v := vocabulary()
	if r, ok := v.vars[name]; ok && r.kind == kindBool {
		return 1 << v.index[name]
	}
	return 0
}

// flagLit reports whether n is a bool variable of flags, possibly negated.
func flagLit(n ast.Node) (f flags, neg bool) {
	for {
		u, ok := n.(*ast.UnaryNode)
		if !ok || !isNot(u.Operator) {
			break
		}
		neg = !neg
		n = u.Node
	}
	if id, ok := n.(*ast.IdentifierNode); ok {
		return flagOf(id.Value), neg
	}
	return 0, false
}

// bool compiles n, a bool expression, negated when neg is set, or reports
// that it cannot.
func (fc *fastCompiler) bool(n ast.Node, neg bool) (boolFn, bool) {
	switch x := n.(type) {
	case *ast.BoolNode:
		v := x.Value != neg
		return func(*jira.User, frame) bool { return v }, true
	case *ast.IdentifierNode:
		f := flagOf(x.Value)
		if f == 0 {
			return nil, false
		}
		return flagFn(f, neg), true
	case *ast.UnaryNode:
		if !isNot(x.Operator) {
			return nil, false
		}
		return fc.bool(x.Node, !neg)
	case *ast.ConditionalNode:
		// !(c ? a : b) is c ? !a : !b.
		a, ok1 := fc.bool(x.Exp1, neg)
		b, ok2 := fc.bool(x.Exp2, neg)
		if !ok1 || !ok2 {
			return nil, false
		}
		if f, fneg := flagLit(x.Cond); f != 0 {
			return func(u *jira.User, c frame) bool {
				if (facts(u, f)&f != 0) != fneg {
					return a(u, c)
				}
				return b(u, c)
			}, true
		}
		cond, ok := fc.bool(x.Cond, false)
		if !ok {
			return nil, false
		}
		return func(u *jira.User, c frame) bool {
			if cond(u, c) {
				return a(u, c)
			}
			return b(u, c)
		}, true
	case *ast.CallNode:
		return fc.call(x, neg)
	case *ast.BinaryNode:
		if isAnd(x.Operator) || isOr(x.Operator) {
			return fc.chain(x, neg)
		}
		return fc.binary(x, neg)
	}
	return nil, false
}

func flagFn(f flags, neg bool) boolFn {
	return func(u *jira.User, _ frame) bool { return (facts(u, f)&f != 0) != neg }
}

// chain compiles a chain of && or ||, negated when neg is set (by De
// Morgan: the operator flips and every operand is negated).
func (fc *fastCompiler) chain(x *ast.BinaryNode, neg bool) (boolFn, bool) {
	and := isAnd(x.Operator)
	var ops []ast.Node
	var flatten func(n ast.Node)
	flatten = func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && (and && isAnd(b.Operator) || !and && isOr(b.Operator)) {
			flatten(b.Left)
			flatten(b.Right)
			return
		}
		ops = append(ops, n)
	}
	flatten(x)
	if neg {
		and = !and
	}
	// Gather the bool variables into mask; inv holds those that must be
	// false (for &&) or whose falsity suffices (for ||). A variable that
	// appears both ways stays an ordinary operand.
	var mask, inv flags
	var terms []boolFn
	for _, op := range ops {
		f, fneg := flagLit(op)
		fneg = fneg != neg
		if f != 0 && (mask&f == 0 || (inv&f != 0) == fneg) {
			mask |= f
			if fneg {
				inv |= f
			}
			continue
		}
		t, ok := fc.bool(op, neg)
		if !ok {
			return nil, false
		}
		terms = append(terms, t)
	}
	if and {
		return andFn(mask, inv, terms), true
	}
	return orFn(mask, inv, terms), true
}

func andFn(mask, inv flags, terms []boolFn) boolFn {
	if mask == 0 {
		switch len(terms) {
		case 1:
			return terms[0]
		case 2:
			t0, t1 := terms[0], terms[1]
			return func(u *jira.User, c frame) bool { return t0(u, c) && t1(u, c) }
		}
		return func(u *jira.User, c frame) bool {
			for _, t := range terms {
				if !t(u, c) {
					return false
				}
			}
			return true
		}
	}
	switch len(terms) {
	case 0:
		return func(u *jira.User, _ frame) bool { return (facts(u, mask)^inv)&mask == mask }
	case 1:
		t0 := terms[0]
		return func(u *jira.User, c frame) bool {
			return (facts(u, mask)^inv)&mask == mask && t0(u, c)
		}
	case 2:
		t0, t1 := terms[0], terms[1]
		return func(u *jira.User, c frame) bool {
			return (facts(u, mask)^inv)&mask == mask && t0(u, c) && t1(u, c)
		}
	case 3:
		t0, t1, t2 := terms[0], terms[1], terms[2]
		return func(u *jira.User, c frame) bool {
			return (facts(u, mask)^inv)&mask == mask && t0(u, c) && t1(u, c) && t2(u, c)
		}
	}
	return func(u *jira.User, c frame) bool {
		if (facts(u, mask)^inv)&mask != mask {
			return false
		}
		for _, t := range terms {
			if !t(u, c) {
				return false
			}
		}
		return true
	}
}

func orFn(mask, inv flags, terms []boolFn) boolFn {
	if mask == 0 {
		switch len(terms) {
		case 1:
			return terms[0]
		case 2:
			t0, t1 := terms[0], terms[1]
			return func(u *jira.User, c frame) bool { return t0(u, c) || t1(u, c) }
		}
	}
	if len(terms) == 0 {
		return func(u *jira.User, _ frame) bool { return (facts(u, mask)^inv)&mask != 0 }
	}
	return func(u *jira.User, c frame) bool {
		if mask != 0 && (facts(u, mask)^inv)&mask != 0 {
			return true
		}
		for _, t := range terms {
			if t(u, c) {
				return true
			}
		}
		return false
	}
}

// binary compiles a comparison, negated when neg is set.
func (fc *fastCompiler) binary(x *ast.BinaryNode, neg bool) (boolFn, bool) {
	if f, ok := fc.intCompare(x, neg); ok {
		return f, true
	}
	if f, ok := fc.domainCompare(x, neg); ok {
		return f, true
	}
	f, ok := fc.binaryPos(x)
	if !ok {
		return nil, false
	}
	if neg {
		return func(u *jira.User, c frame) bool { return !f(u, c) }, true
	}
	return f, true
}

// binaryPos compiles a comparison.
func (fc *fastCompiler) binaryPos(x *ast.BinaryNode) (boolFn, bool) {
	if l, ok := fc.int(x.Left); ok {
		r, ok := fc.int(x.Right)
		if !ok {
			return nil, false
		}
		return ordered(x.Operator, l, r)
	}
	if l, ok := fc.str(x.Left); ok {
		if arr, ok := x.Right.(*ast.ArrayNode); ok && x.Operator == "in" {
			set, ok := stringLiterals(arr.Nodes)
			if !ok {
				return nil, false
			}
			return func(u *jira.User, c frame) bool { return slices.Contains(set, l(u, c)) }, true
		}
		r, ok := fc.str(x.Right)
		if !ok {
			return nil, false
		}
		if f, ok := ordered(x.Operator, l, r); ok {
			return f, true
		}
		switch x.Operator {
		case "contains":
			return func(u *jira.User, c frame) bool { return strings.Contains(l(u, c), r(u, c)) }, true
		case "startsWith":
			return func(u *jira.User, c frame) bool { return strings.HasPrefix(l(u, c), r(u, c)) }, true
		case "endsWith":
			return func(u *jira.User, c frame) bool { return strings.HasSuffix(l(u, c), r(u, c)) }, true
		}
		return nil, false
	}
	if l, ok := fc.time(x.Left); ok {
		r, ok := fc.time(x.Right)
		if !ok {
			return nil, false
		}
		switch x.Operator {
		case "==":
			return func(u *jira.User, c frame) bool { return l(u, c).Equal(r(u, c)) }, true
		case "!=":
			return func(u *jira.User, c frame) bool { return !l(u, c).Equal(r(u, c)) }, true
		case "<":
			return func(u *jira.User, c frame) bool { return l(u, c).Before(r(u, c)) }, true
		case ">":
			return func(u *jira.User, c frame) bool { return l(u, c).After(r(u, c)) }, true
		case "<=":
			return func(u *jira.User, c frame) bool { return !l(u, c).After(r(u, c)) }, true
		case ">=":
			return func(u *jira.User, c frame) bool { return !l(u, c).Before(r(u, c)) }, true
		}
		return nil, false
	}
	if x.Operator == "==" || x.Operator == "!=" {
		l, ok1 := fc.bool(x.Left, false)
		r, ok2 := fc.bool(x.Right, false)
		if !ok1 || !ok2 {
			return nil, false
		}
		if x.Operator == "==" {
			return func(u *jira.User, c frame) bool { return l(u, c) == r(u, c) }, true
		}
		return func(u *jira.User, c frame) bool { return l(u, c) != r(u, c) }, true
	}
	return nil, false
}

// flipped gives the operator of a comparison with its operands swapped.
var flipped = map[string]string{"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}

// intCompare compiles the common comparison of an int variable with an
// integer literal, in either order, as one closure: v op k holds when v is
// in (or, with out, not in) the closed range [lo, hi].
func (fc *fastCompiler) intCompare(x *ast.BinaryNode, neg bool) (boolFn, bool) {
	op, ok := flipped[x.Operator]
	if !ok {
		return nil, false
	}
	v, k := x.Left, x.Right
	if _, ok := intConst(v); ok {
		v, k = k, v
	} else {
		op = x.Operator
	}
	r, kv := fc.variable(v)
	if r == nil || r.kind != kindInt && r.kind != kindDays {
		return nil, false
	}
	c, ok := intConst(k)
	if !ok {
		return nil, false
	}
	lo, hi, out := math.MinInt, math.MaxInt, false
	switch op {
	case "==":
		lo, hi = c, c
	case "!=":
		lo, hi, out = c, c, true
	case "<=":
		hi = c
	case ">":
		hi, out = c, true
	case ">=":
		lo = c
	case "<":
		lo, out = c, true
	}
	out = out != neg
	if r.kind == kindInt {
		return func(u *jira.User, _ frame) bool {
			n := intOf(u, kv)
			return (lo <= n && n <= hi) != out
		}, true
	}
	fc.today = true
	loc := fc.loc
	return func(u *jira.User, f frame) bool {
		n := daysFrom(sinceOf(u, kv), f.today, loc)
		return (lo <= n && n <= hi) != out
	}, true
}

// intConst returns the value of an integer literal, possibly negated.
func intConst(n ast.Node) (int, bool) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		return x.Value, true
	case *ast.UnaryNode:
		if x.Operator == "-" {
			v, ok := intConst(x.Node)
			return -v, ok
		}
		if x.Operator == "+" {
			return intConst(x.Node)
		}
	}
	return 0, false
}

// domainCompare compiles v == "lit" and != for a string variable with an
// equalsLower accessor (emailDomain) and a literal that is ASCII without
// upper-case letters, in either order, as a comparison that does not
// compute the value (for emailDomain: a case-insensitive comparison of the
// email's suffix that does not allocate).
func (fc *fastCompiler) domainCompare(x *ast.BinaryNode, neg bool) (boolFn, bool) {
	if x.Operator != "==" && x.Operator != "!=" {
		return nil, false
	}
	v, k := x.Left, x.Right
	if _, ok := k.(*ast.IdentifierNode); ok {
		v, k = k, v
	}
	r, kv := fc.variable(v)
	if r == nil || r.equalsLower == "" {
		return nil, false
	}
	s, ok := k.(*ast.StringNode)
	if !ok || !isLowerASCII(s.Value) {
		return nil, false
	}
	lit := s.Value
	ne := (x.Operator == "!=") != neg
	return func(u *jira.User, _ frame) bool { return equalsLower(u, kv, lit) != ne }, true
}

func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// domainIs reports whether domainOf(email) == lit, for lit ASCII without
// upper-case letters.
func domainIs(email, lit string) bool {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return lit == ""
	}
	d := email[i+1:]
	if len(d) != len(lit) {
		// Lower-casing non-ASCII text can change its length.
		for j := 0; j < len(d); j++ {
			if d[j] >= 0x80 {
				return domainOf(email) == lit
			}
		}
		return false
	}
	for j := 0; j < len(d); j++ {
		c := d[j]
		if c >= 0x80 {
			return domainOf(email) == lit
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[j] {
			// A later non-ASCII byte could not make it equal: the
			// lower-cased ASCII prefix already differs.
			return false
		}
	}
	return true
}

func stringLiterals(nodes []ast.Node) ([]string, bool) {
	set := make([]string, len(nodes))
	for i, n := range nodes {
		s, ok := n.(*ast.StringNode)
		if !ok {
			return nil, false
		}
		set[i] = s.Value
	}
	return set, true
}

// call compiles a call of a membership function (inGroup, inAnyGroup,
// inAllGroups, hasLicence), negated when neg is set.
func (fc *fastCompiler) call(x *ast.CallNode, neg bool) (boolFn, bool) {
	id, ok := x.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	v := vocabulary()
	fn, ok := v.funcs[id.Value]
	if !ok || !fn.member || fn.quant == quantOne && len(x.Arguments) != 1 {
		return nil, false
	}
	kl := v.index[fn.reads]
	lits, allLit := stringLiterals(x.Arguments)
	args := make([]strFn, len(x.Arguments))
	for i, a := range x.Arguments {
		if args[i], ok = fc.str(a); !ok {
			return nil, false
		}
	}
	if fn.quant == quantOne {
		if allLit {
			name := lits[0]
			return func(u *jira.User, _ frame) bool { return member(listOf(u, kl), name) != neg }, true
		}
		a := args[0]
		return func(u *jira.User, c frame) bool { return member(listOf(u, kl), a(u, c)) != neg }, true
	}
	// quantAny holds when some argument is a member, quantAll fails when
	// some argument is not.
	some := fn.quant == quantAny
	if allLit {
		return func(u *jira.User, _ frame) bool {
			l := listOf(u, kl)
			for _, name := range lits {
				if member(l, name) == some {
					return some != neg
				}
			}
			return !some != neg
		}, true
	}
	return func(u *jira.User, c frame) bool {
		l := listOf(u, kl)
		for _, a := range args {
			if member(l, a(u, c)) == some {
				return some != neg
			}
		}
		return !some != neg
	}, true
}

// member reports whether name is in list, which is usually sorted (as
// [jira.User] documents) but may not be: a short list is scanned, a long
// one binary searched, then scanned if that fails, like
// [jira.User.InGroup].
func member(list []string, name string) bool {
	if len(list) > 8 {
		if _, ok := slices.BinarySearch(list, name); ok {
			return true
		}
	}
	return slices.Contains(list, name)
}

func (fc *fastCompiler) int(n ast.Node) (intFn, bool) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		v := x.Value
		return func(*jira.User, frame) int { return v }, true
	case *ast.IdentifierNode:
		return fc.intVar(x)
	case *ast.UnaryNode:
		if x.Operator != "-" {
			return nil, false
		}
		f, ok := fc.int(x.Node)
		if !ok {
			return nil, false
		}
		return func(u *jira.User, c frame) int { return -f(u, c) }, true
	case *ast.BinaryNode:
		l, ok1 := fc.int(x.Left)
		r, ok2 := fc.int(x.Right)
		if !ok1 || !ok2 {
			return nil, false
		}
		switch x.Operator {
		case "+":
			return func(u *jira.User, c frame) int { return l(u, c) + r(u, c) }, true
		case "-":
			return func(u *jira.User, c frame) int { return l(u, c) - r(u, c) }, true
		case "*":
			return func(u *jira.User, c frame) int { return l(u, c) * r(u, c) }, true
		}
	}
	return nil, false
}

// variable returns the vocabulary's row of the variable n and its number,
// or nil.
func (fc *fastCompiler) variable(n ast.Node) (*variable, int) {
	if id, ok := n.(*ast.IdentifierNode); ok {
		v := vocabulary()
		if r, ok := v.vars[id.Value]; ok {
			return r, v.index[id.Value]
		}
	}
	return nil, 0
}

// intVar compiles an int variable, as [Env.fill] computes it: 0 when
// unknown.
func (fc *fastCompiler) intVar(n ast.Node) (intFn, bool) {
	r, kv := fc.variable(n)
	if r == nil || r.kind != kindInt && r.kind != kindDays {
		return nil, false
	}
	if r.kind == kindInt {
		return func(u *jira.User, _ frame) int { return intOf(u, kv) }, true
	}
	fc.today = true
	loc := fc.loc
	return func(u *jira.User, f frame) int { return daysFrom(sinceOf(u, kv), f.today, loc) }, true
}

// dayIn is dayNumber with the common case of UTC inlined.
func dayIn(t time.Time, loc *time.Location) int64 {
	if loc != time.UTC {
		return dayNumber(t, loc)
	}
	secs := t.Unix()
	d := secs / 86400
	if secs%86400 < 0 {
		d--
	}
	return d
}

func (fc *fastCompiler) str(n ast.Node) (strFn, bool) {
	if x, ok := n.(*ast.StringNode); ok {
		v := x.Value
		return func(*jira.User, frame) string { return v }, true
	}
	if r, kv := fc.variable(n); r != nil && r.kind == kindString {
		return func(u *jira.User, _ frame) string { return strOf(u, kv) }, true
	}
	return nil, false
}

// time compiles a time variable. The values are those of [Env.fill]
// (the zero time when unknown) without a monotonic clock reading, so that
// comparisons are of wall-clock instants as on the VM.
func (fc *fastCompiler) time(n ast.Node) (timeFn, bool) {
	r, kv := fc.variable(n)
	if r == nil {
		return nil, false
	}
	switch r.kind {
	case kindTime:
		return func(u *jira.User, _ frame) time.Time { return timeOf(u, kv).Round(0) }, true
	case kindNow:
		return func(_ *jira.User, c frame) time.Time { return c.now }, true
	}
	return nil, false
}

// ordered compiles a comparison of two ordered operands: ints or strings.
func ordered[T cmp.Ordered](op string, l, r func(*jira.User, frame) T) (boolFn, bool) {
	switch op {
	case "==":
		return func(u *jira.User, c frame) bool { return l(u, c) == r(u, c) }, true
	case "!=":
		return func(u *jira.User, c frame) bool { return l(u, c) != r(u, c) }, true
	case "<":
		return func(u *jira.User, c frame) bool { return l(u, c) < r(u, c) }, true
	case ">":
		return func(u *jira.User, c frame) bool { return l(u, c) > r(u, c) }, true
	case "<=":
		return func(u *jira.User, c frame) bool { return l(u, c) <= r(u, c) }, true
	case ">=":
		return func(u *jira.User, c frame) bool { return l(u, c) >= r(u, c) }, true
	}
	return nil, false
}
