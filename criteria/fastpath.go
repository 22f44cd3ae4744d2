package criteria

import (
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
)

// The fast path. expr's VM boxes every value it loads from the environment
// and dispatches on dynamic types; for the common shape of a criterion —
// variables, literals, comparisons, &&, ||, !, ?:, and the group and
// licence functions — Compile also builds a tree of typed Go closures over
// the checked (and guarded) syntax tree, which evaluates without
// allocating. Anything outside that subset (arithmetic other than + - *
// on ints, builtins, closures, let, member access, …) runs on expr's VM.
// Both paths evaluate the same guarded tree; FuzzMatch checks that they
// agree.

// lazyNeeds are the derived values the fast path computes on use rather
// than in fill.
const lazyNeeds = needEmail | needCreated | needLastLogin

type (
	boolFn func(*Env) bool
	intFn  func(*Env) int
	strFn  func(*Env) string
	timeFn func(*Env) time.Time
)

// fastBool compiles n, a bool expression, or reports that it cannot.
func fastBool(n ast.Node) (boolFn, bool) {
	switch x := n.(type) {
	case *ast.BoolNode:
		v := x.Value
		return func(*Env) bool { return v }, true
	case *ast.IdentifierNode:
		return boolVar(x.Value)
	case *ast.UnaryNode:
		if !isNot(x.Operator) {
			return nil, false
		}
		f, ok := fastBool(x.Node)
		if !ok {
			return nil, false
		}
		return func(e *Env) bool { return !f(e) }, true
	case *ast.ConditionalNode:
		c, ok1 := fastBool(x.Cond)
		a, ok2 := fastBool(x.Exp1)
		b, ok3 := fastBool(x.Exp2)
		if !ok1 || !ok2 || !ok3 {
			return nil, false
		}
		return func(e *Env) bool {
			if c(e) {
				return a(e)
			}
			return b(e)
		}, true
	case *ast.CallNode:
		return fastCall(x)
	case *ast.BinaryNode:
		return fastBinary(x)
	}
	return nil, false
}

func fastBinary(x *ast.BinaryNode) (boolFn, bool) {
	if isAnd(x.Operator) || isOr(x.Operator) {
		l, ok1 := fastBool(x.Left)
		r, ok2 := fastBool(x.Right)
		if !ok1 || !ok2 {
			return nil, false
		}
		if isAnd(x.Operator) {
			return func(e *Env) bool { return l(e) && r(e) }, true
		}
		return func(e *Env) bool { return l(e) || r(e) }, true
	}
	if f, ok := fastIntConst(x); ok {
		return f, true
	}
	if l, ok := fastInt(x.Left); ok {
		r, ok := fastInt(x.Right)
		if !ok {
			return nil, false
		}
		switch x.Operator {
		case "==":
			return func(e *Env) bool { return l(e) == r(e) }, true
		case "!=":
			return func(e *Env) bool { return l(e) != r(e) }, true
		case "<":
			return func(e *Env) bool { return l(e) < r(e) }, true
		case ">":
			return func(e *Env) bool { return l(e) > r(e) }, true
		case "<=":
			return func(e *Env) bool { return l(e) <= r(e) }, true
		case ">=":
			return func(e *Env) bool { return l(e) >= r(e) }, true
		}
		return nil, false
	}
	if l, ok := fastStr(x.Left); ok {
		if arr, ok := x.Right.(*ast.ArrayNode); ok && x.Operator == "in" {
			set, ok := stringLiterals(arr.Nodes)
			if !ok {
				return nil, false
			}
			return func(e *Env) bool { return slices.Contains(set, l(e)) }, true
		}
		r, ok := fastStr(x.Right)
		if !ok {
			return nil, false
		}
		switch x.Operator {
		case "==":
			return func(e *Env) bool { return l(e) == r(e) }, true
		case "!=":
			return func(e *Env) bool { return l(e) != r(e) }, true
		case "<":
			return func(e *Env) bool { return l(e) < r(e) }, true
		case ">":
			return func(e *Env) bool { return l(e) > r(e) }, true
		case "<=":
			return func(e *Env) bool { return l(e) <= r(e) }, true
		case ">=":
			return func(e *Env) bool { return l(e) >= r(e) }, true
		case "contains":
			return func(e *Env) bool { return strings.Contains(l(e), r(e)) }, true
		case "startsWith":
			return func(e *Env) bool { return strings.HasPrefix(l(e), r(e)) }, true
		case "endsWith":
			return func(e *Env) bool { return strings.HasSuffix(l(e), r(e)) }, true
		}
		return nil, false
	}
	if l, ok := fastTime(x.Left); ok {
		r, ok := fastTime(x.Right)
		if !ok {
			return nil, false
		}
		switch x.Operator {
		case "==":
			return func(e *Env) bool { return l(e).Equal(r(e)) }, true
		case "!=":
			return func(e *Env) bool { return !l(e).Equal(r(e)) }, true
		case "<":
			return func(e *Env) bool { return l(e).Before(r(e)) }, true
		case ">":
			return func(e *Env) bool { return l(e).After(r(e)) }, true
		case "<=":
			return func(e *Env) bool { return !l(e).After(r(e)) }, true
		case ">=":
			return func(e *Env) bool { return !l(e).Before(r(e)) }, true
		}
		return nil, false
	}
	if x.Operator == "==" || x.Operator == "!=" {
		l, ok1 := fastBool(x.Left)
		r, ok2 := fastBool(x.Right)
		if !ok1 || !ok2 {
			return nil, false
		}
		if x.Operator == "==" {
			return func(e *Env) bool { return l(e) == r(e) }, true
		}
		return func(e *Env) bool { return l(e) != r(e) }, true
	}
	return nil, false
}

// fastIntConst compiles the common "variable op literal" comparison of
// ints with one closure call instead of two.
func fastIntConst(x *ast.BinaryNode) (boolFn, bool) {
	lit, ok := x.Right.(*ast.IntegerNode)
	if !ok {
		return nil, false
	}
	id, ok := x.Left.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	l, ok := intVar(id.Value)
	if !ok {
		return nil, false
	}
	c := lit.Value
	switch x.Operator {
	case "==":
		return func(e *Env) bool { return l(e) == c }, true
	case "!=":
		return func(e *Env) bool { return l(e) != c }, true
	case "<":
		return func(e *Env) bool { return l(e) < c }, true
	case ">":
		return func(e *Env) bool { return l(e) > c }, true
	case "<=":
		return func(e *Env) bool { return l(e) <= c }, true
	case ">=":
		return func(e *Env) bool { return l(e) >= c }, true
	}
	return nil, false
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

func fastCall(x *ast.CallNode) (boolFn, bool) {
	id, ok := x.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	args := make([]strFn, len(x.Arguments))
	for i, a := range x.Arguments {
		if args[i], ok = fastStr(a); !ok {
			return nil, false
		}
	}
	switch {
	case id.Value == "inGroup" && len(args) == 1:
		if s, ok := x.Arguments[0].(*ast.StringNode); ok {
			name := s.Value
			return func(e *Env) bool { return e.inGroup(name) }, true
		}
		a := args[0]
		return func(e *Env) bool { return e.inGroup(a(e)) }, true
	case id.Value == "hasLicence" && len(args) == 1:
		a := args[0]
		return func(e *Env) bool { return e.hasLicence(a(e)) }, true
	case id.Value == "inAnyGroup":
		return func(e *Env) bool {
			for _, a := range args {
				if e.inGroup(a(e)) {
					return true
				}
			}
			return false
		}, true
	case id.Value == "inAllGroups":
		return func(e *Env) bool {
			for _, a := range args {
				if !e.inGroup(a(e)) {
					return false
				}
			}
			return true
		}, true
	}
	return nil, false
}

func fastInt(n ast.Node) (intFn, bool) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		v := x.Value
		return func(*Env) int { return v }, true
	case *ast.IdentifierNode:
		return intVar(x.Value)
	case *ast.UnaryNode:
		if x.Operator != "-" {
			return nil, false
		}
		f, ok := fastInt(x.Node)
		if !ok {
			return nil, false
		}
		return func(e *Env) int { return -f(e) }, true
	case *ast.BinaryNode:
		l, ok1 := fastInt(x.Left)
		r, ok2 := fastInt(x.Right)
		if !ok1 || !ok2 {
			return nil, false
		}
		switch x.Operator {
		case "+":
			return func(e *Env) int { return l(e) + r(e) }, true
		case "-":
			return func(e *Env) int { return l(e) - r(e) }, true
		case "*":
			return func(e *Env) int { return l(e) * r(e) }, true
		}
	}
	return nil, false
}

func fastStr(n ast.Node) (strFn, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		v := x.Value
		return func(*Env) string { return v }, true
	case *ast.IdentifierNode:
		return strVar(x.Value)
	}
	return nil, false
}

func fastTime(n ast.Node) (timeFn, bool) {
	if x, ok := n.(*ast.IdentifierNode); ok {
		switch x.Value {
		case "created":
			return func(e *Env) time.Time { return e.Created }, true
		case "lastLogin":
			return func(e *Env) time.Time { return e.LastLogin }, true
		case "now":
			return func(e *Env) time.Time { return e.Now }, true
		}
	}
	return nil, false
}

func boolVar(name string) (boolFn, bool) {
	switch name {
	case "active":
		return func(e *Env) bool { return e.Active }, true
	case "emailKnown":
		return func(e *Env) bool { return e.EmailKnown }, true
	case "createdKnown":
		return func(e *Env) bool { return e.CreatedKnown }, true
	case "lastLoginKnown":
		return func(e *Env) bool { return e.LastLoginKnown }, true
	case "neverLoggedIn":
		return func(e *Env) bool { return e.NeverLoggedIn }, true
	case "loginCountKnown":
		return func(e *Env) bool { return e.LoginCountKnown }, true
	case "lastActiveKnown":
		return func(e *Env) bool { return e.LastActiveKnown }, true
	}
	return nil, false
}

func intVar(name string) (intFn, bool) {
	switch name {
	// The fast path fills the Env without the derived values below (see
	// lazyNeeds) and computes them on use, as fill would.
	case "daysSinceCreated":
		return func(e *Env) int {
			if !e.CreatedKnown {
				return 0
			}
			return int(e.nowDay - dayNumber(e.Created, e.loc))
		}, true
	case "daysSinceLastLogin":
		return func(e *Env) int {
			if e.LastLogin.IsZero() {
				return 0
			}
			return int(e.nowDay - dayNumber(e.LastLogin, e.loc))
		}, true
	case "daysSinceLastActive":
		return func(e *Env) int { return e.DaysSinceLastActive }, true
	case "loginCount":
		return func(e *Env) int { return e.LoginCount }, true
	}
	return nil, false
}

func strVar(name string) (strFn, bool) {
	switch name {
	case "name":
		return func(e *Env) string { return e.Name }, true
	case "key":
		return func(e *Env) string { return e.Key }, true
	case "accountId":
		return func(e *Env) string { return e.AccountID }, true
	case "displayName":
		return func(e *Env) string { return e.DisplayName }, true
	case "email":
		return func(e *Env) string { return e.Email }, true
	case "emailDomain":
		return func(e *Env) string { return domainOf(e.Email) }, true
	case "accountType":
		return func(e *Env) string { return e.AccountType }, true
	case "directory":
		return func(e *Env) string { return e.Directory }, true
	}
	return nil, false
}
