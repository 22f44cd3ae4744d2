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

// flags is a set of the bool variables that read the user directly.
type flags uint8

const (
	fActive flags = 1 << iota
	fEmailKnown
	fCreatedKnown
	fLastLoginKnown
	fNeverLoggedIn
	fLoginCountKnown
	fLastActiveKnown
)

// flagOf returns the flag of a bool variable, or 0.
func flagOf(name string) flags {
	switch name {
	case "active":
		return fActive
	case "emailKnown":
		return fEmailKnown
	case "createdKnown":
		return fCreatedKnown
	case "lastLoginKnown":
		return fLastLoginKnown
	case "neverLoggedIn":
		return fNeverLoggedIn
	case "loginCountKnown":
		return fLoginCountKnown
	case "lastActiveKnown":
		return fLastActiveKnown
	}
	return 0
}

// facts returns the flags that hold for u, among those in m; the cheap
// ones may be set whether in m or not.
func facts(u *jira.User, m flags) flags {
	var f flags
	if u.Active {
		f |= fActive
	}
	if u.Email != "" {
		f |= fEmailKnown
	}
	if !u.Created.IsZero() {
		f |= fCreatedKnown
	}
	if u.LastLogin.Known {
		f |= fLastLoginKnown
		if u.LastLogin.Time.IsZero() {
			f |= fNeverLoggedIn
		}
	}
	if u.LoginCount != nil {
		f |= fLoginCountKnown
	}
	if m&fLastActiveKnown != 0 && !latestActive(u).IsZero() {
		f |= fLastActiveKnown
	}
	return f
}

// latestActive returns the most recent product activity of u, or the zero
// time, as [Env.fill] computes it.
func latestActive(u *jira.User) time.Time {
	var latest time.Time
	for _, t := range u.LastActive {
		if t.After(latest) {
			latest = t
		}
	}
	return latest
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
	id, ok := v.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	kind := intKindOf(id.Value)
	if kind == 0 {
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
	if kind != kLoginCount {
		fc.today = true
	}
	loc := fc.loc
	return func(u *jira.User, f frame) bool {
		n := intOf(u, f.today, kind, loc)
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

// domainCompare compiles emailDomain == "lit" and != with a literal that
// is ASCII without upper-case letters, in either order, as a
// case-insensitive comparison of the email's suffix that does not
// allocate.
func (fc *fastCompiler) domainCompare(x *ast.BinaryNode, neg bool) (boolFn, bool) {
	if x.Operator != "==" && x.Operator != "!=" {
		return nil, false
	}
	v, k := x.Left, x.Right
	if _, ok := k.(*ast.IdentifierNode); ok {
		v, k = k, v
	}
	id, ok := v.(*ast.IdentifierNode)
	if !ok || id.Value != "emailDomain" {
		return nil, false
	}
	s, ok := k.(*ast.StringNode)
	if !ok || !isLowerASCII(s.Value) {
		return nil, false
	}
	lit := s.Value
	ne := (x.Operator == "!=") != neg
	return func(u *jira.User, _ frame) bool { return domainIs(u.Email, lit) != ne }, true
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

// call compiles a call of a group or licence function, negated when neg
// is set.
func (fc *fastCompiler) call(x *ast.CallNode, neg bool) (boolFn, bool) {
	id, ok := x.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	lits, allLit := stringLiterals(x.Arguments)
	args := make([]strFn, len(x.Arguments))
	for i, a := range x.Arguments {
		if args[i], ok = fc.str(a); !ok {
			return nil, false
		}
	}
	switch {
	case id.Value == "inGroup" && len(args) == 1:
		if allLit {
			name := lits[0]
			return func(u *jira.User, _ frame) bool { return member(u.Groups, name) != neg }, true
		}
		a := args[0]
		return func(u *jira.User, c frame) bool { return member(u.Groups, a(u, c)) != neg }, true
	case id.Value == "hasLicence" && len(args) == 1:
		if allLit {
			key := lits[0]
			return func(u *jira.User, _ frame) bool { return member(u.Licences, key) != neg }, true
		}
		a := args[0]
		return func(u *jira.User, c frame) bool { return member(u.Licences, a(u, c)) != neg }, true
	case id.Value == "inAnyGroup" || id.Value == "inAllGroups":
		// inAnyGroup holds when some argument is a member, inAllGroups
		// fails when some argument is not.
		some := id.Value == "inAnyGroup"
		if allLit {
			return func(u *jira.User, _ frame) bool {
				for _, name := range lits {
					if member(u.Groups, name) == some {
						return some != neg
					}
				}
				return !some != neg
			}, true
		}
		return func(u *jira.User, c frame) bool {
			for _, a := range args {
				if member(u.Groups, a(u, c)) == some {
					return some != neg
				}
			}
			return !some != neg
		}, true
	}
	return nil, false
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
		kind := intKindOf(x.Value)
		if kind == 0 {
			return nil, false
		}
		if kind != kLoginCount {
			fc.today = true
		}
		loc := fc.loc
		return func(u *jira.User, f frame) int { return intOf(u, f.today, kind, loc) }, true
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

// intKind names an int variable.
type intKind uint8

const (
	kDaysSinceCreated intKind = 1 + iota
	kDaysSinceLastLogin
	kDaysSinceLastActive
	kLoginCount
)

func intKindOf(name string) intKind {
	switch name {
	case "daysSinceCreated":
		return kDaysSinceCreated
	case "daysSinceLastLogin":
		return kDaysSinceLastLogin
	case "daysSinceLastActive":
		return kDaysSinceLastActive
	case "loginCount":
		return kLoginCount
	}
	return 0
}

// intOf returns the int variable k of u as [Env.fill] computes it: 0 when
// unknown.
func intOf(u *jira.User, today int64, k intKind, loc *time.Location) int {
	switch k {
	case kDaysSinceCreated:
		if u.Created.IsZero() {
			return 0
		}
		return int(today - dayIn(u.Created, loc))
	case kDaysSinceLastLogin:
		if !u.LastLogin.Known || u.LastLogin.Time.IsZero() {
			return 0
		}
		return int(today - dayIn(u.LastLogin.Time, loc))
	case kDaysSinceLastActive:
		if t := latestActive(u); !t.IsZero() {
			return int(today - dayIn(t, loc))
		}
		return 0
	case kLoginCount:
		if u.LoginCount != nil {
			return *u.LoginCount
		}
	}
	return 0
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
	switch x := n.(type) {
	case *ast.StringNode:
		v := x.Value
		return func(*jira.User, frame) string { return v }, true
	case *ast.IdentifierNode:
		switch x.Value {
		case "name":
			return func(u *jira.User, _ frame) string { return u.Name }, true
		case "key":
			return func(u *jira.User, _ frame) string { return u.Key }, true
		case "accountId":
			return func(u *jira.User, _ frame) string { return u.AccountID }, true
		case "displayName":
			return func(u *jira.User, _ frame) string { return u.DisplayName }, true
		case "email":
			return func(u *jira.User, _ frame) string { return u.Email }, true
		case "emailDomain":
			return func(u *jira.User, _ frame) string { return domainOf(u.Email) }, true
		case "accountType":
			return func(u *jira.User, _ frame) string { return string(u.AccountType) }, true
		case "directory":
			return func(u *jira.User, _ frame) string { return u.Directory }, true
		}
	}
	return nil, false
}

// time compiles a time variable. The values are those of [Env.fill]
// (the zero time when unknown) without a monotonic clock reading, so that
// comparisons are of wall-clock instants as on the VM.
func (fc *fastCompiler) time(n ast.Node) (timeFn, bool) {
	if x, ok := n.(*ast.IdentifierNode); ok {
		switch x.Value {
		case "created":
			return func(u *jira.User, _ frame) time.Time {
				if u.Created.IsZero() {
					return time.Time{}
				}
				return u.Created.Round(0)
			}, true
		case "lastLogin":
			return func(u *jira.User, _ frame) time.Time {
				if !u.LastLogin.Known || u.LastLogin.Time.IsZero() {
					return time.Time{}
				}
				return u.LastLogin.Time.Round(0)
			}, true
		case "now":
			return func(_ *jira.User, c frame) time.Time { return c.now }, true
		}
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
