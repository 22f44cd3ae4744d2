package criteria

import (
	"github.com/expr-lang/expr/ast"
)

// guard is a set of facts that must be known for a value to be read.
type guard uint8

const (
	gLastLogin      guard = 1 << iota // a login time exists: lastLoginKnown && !neverLoggedIn
	gLastLoginKnown                   // lastLoginKnown
	gCreated                          // createdKnown
	gLastActive                       // lastActiveKnown
	gLoginCount                       // loginCountKnown
	gEmail                            // emailKnown
)

// guardOf maps each variable that can be unknown to the facts it needs.
func guardOf(name string) guard {
	switch name {
	case "lastLogin", "daysSinceLastLogin":
		return gLastLogin
	case "neverLoggedIn":
		return gLastLoginKnown
	case "created", "daysSinceCreated":
		return gCreated
	case "daysSinceLastActive":
		return gLastActive
	case "loginCount":
		return gLoginCount
	case "email", "emailDomain":
		return gEmail
	}
	return 0
}

// reason says, for the facts in g that env lacks, why a value is unknown;
// "" when every fact holds.
func (g guard) reason(e *Env) string {
	switch {
	case g&(gLastLogin|gLastLoginKnown) != 0 && !e.LastLoginKnown:
		return "last login unknown"
	case g&gLastLogin != 0 && e.NeverLoggedIn:
		return "never logged in"
	case g&gCreated != 0 && !e.CreatedKnown:
		return "created unknown"
	case g&gLastActive != 0 && !e.LastActiveKnown:
		return "no product activity known"
	case g&gLoginCount != 0 && !e.LoginCountKnown:
		return "login count unknown"
	case g&gEmail != 0 && !e.EmailKnown:
		return "email unknown"
	}
	return ""
}

// identifiers calls fn with every identifier in the tree under n.
func identifiers(n ast.Node, fn func(*ast.IdentifierNode)) {
	ast.Walk(&n, visitFunc(func(node *ast.Node) {
		if id, ok := (*node).(*ast.IdentifierNode); ok {
			fn(id)
		}
	}))
}

type visitFunc func(*ast.Node)

func (f visitFunc) Visit(n *ast.Node) { f(n) }

// guardsOf returns the facts that an atom reads. A comparison of email or
// emailDomain with "" tests whether the email is known and is not guarded.
func guardsOf(n ast.Node) guard {
	if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "==" || b.Operator == "!=") {
		if isEmailIdent(b.Left) && isEmptyString(b.Right) || isEmptyString(b.Left) && isEmailIdent(b.Right) {
			return 0
		}
	}
	var g guard
	identifiers(n, func(id *ast.IdentifierNode) { g |= guardOf(id.Value) })
	return g
}

func isEmailIdent(n ast.Node) bool {
	id, ok := n.(*ast.IdentifierNode)
	return ok && (id.Value == "email" || id.Value == "emailDomain")
}

func isEmptyString(n ast.Node) bool {
	s, ok := n.(*ast.StringNode)
	return ok && s.Value == ""
}

func isAnd(op string) bool { return op == "&&" || op == "and" }
func isOr(op string) bool  { return op == "||" || op == "or" }
func isNot(op string) bool { return op == "!" || op == "not" }

// guardExpr builds the boolean expression that holds when every fact in g
// holds, or nil when g is empty.
func guardExpr(g guard, loc ast.Node) ast.Node {
	var terms []ast.Node
	id := func(name string) ast.Node { return located(&ast.IdentifierNode{Value: name}, loc) }
	if g&(gLastLogin|gLastLoginKnown) != 0 {
		terms = append(terms, id("lastLoginKnown"))
	}
	if g&gLastLogin != 0 {
		terms = append(terms, located(&ast.UnaryNode{Operator: "!", Node: id("neverLoggedIn")}, loc))
	}
	if g&gCreated != 0 {
		terms = append(terms, id("createdKnown"))
	}
	if g&gLastActive != 0 {
		terms = append(terms, id("lastActiveKnown"))
	}
	if g&gLoginCount != 0 {
		terms = append(terms, id("loginCountKnown"))
	}
	if g&gEmail != 0 {
		terms = append(terms, id("emailKnown"))
	}
	var out ast.Node
	for _, t := range terms {
		if out == nil {
			out = t
			continue
		}
		out = and(out, t, loc)
	}
	return out
}

func located(n ast.Node, at ast.Node) ast.Node {
	n.SetLocation(at.Location())
	return n
}

func and(l, r, at ast.Node) ast.Node {
	return located(&ast.BinaryNode{Operator: "&&", Left: l, Right: r}, at)
}

func or(l, r, at ast.Node) ast.Node {
	return located(&ast.BinaryNode{Operator: "||", Left: l, Right: r}, at)
}

func not(n ast.Node) ast.Node {
	return located(&ast.UnaryNode{Operator: "!", Node: n}, n)
}

// guardUnknowns rewrites the boolean structure of a criterion so that no
// value that is unknown for a user can make it true.
//
// Negations are pushed down to the atoms (De Morgan), so every atom appears
// positively or negated exactly once, and each atom — a comparison, a
// function call, a variable — that reads a value which can be unknown is
// put behind the facts it needs: "daysSinceLastLogin > 90" becomes
// "lastLoginKnown && !neverLoggedIn && daysSinceLastLogin > 90", and its
// negation "lastLoginKnown && !neverLoggedIn && !(daysSinceLastLogin > 90)".
// A ternary whose condition reads an unknown value is false. Because && and
// || are monotone, the result is true only when it would be true in
// three-valued logic with unknown atoms, so an unknown value never selects
// a user, whichever way the criterion is written.
func guardUnknowns(n ast.Node, neg bool) ast.Node {
	switch x := n.(type) {
	case *ast.BinaryNode:
		switch {
		case isAnd(x.Operator):
			l, r := guardUnknowns(x.Left, neg), guardUnknowns(x.Right, neg)
			if neg {
				return or(l, r, x)
			}
			return and(l, r, x)
		case isOr(x.Operator):
			l, r := guardUnknowns(x.Left, neg), guardUnknowns(x.Right, neg)
			if neg {
				return and(l, r, x)
			}
			return or(l, r, x)
		}
	case *ast.UnaryNode:
		if isNot(x.Operator) {
			return guardUnknowns(x.Node, !neg)
		}
	case *ast.ConditionalNode:
		c := &ast.ConditionalNode{
			Ternary: x.Ternary,
			Cond:    x.Cond,
			Exp1:    guardUnknowns(x.Exp1, neg),
			Exp2:    guardUnknowns(x.Exp2, neg),
		}
		c.SetLocation(x.Location())
		if g := guardsOf(x.Cond); g != 0 {
			return and(guardExpr(g, x), c, x)
		}
		return c
	}
	atom := n
	if neg {
		atom = not(n)
	}
	if g := guardsOf(n); g != 0 {
		atom = and(guardExpr(g, n), atom, n)
	}
	// lastActive["p"] of a product the user has no activity in would read
	// as the zero time, "long ago": guard it with "p" in lastActive.
	for _, key := range activeKeys(n) {
		in := located(&ast.BinaryNode{Operator: "in", Left: key, Right: located(&ast.IdentifierNode{Value: "lastActive"}, n)}, n)
		atom = and(in, atom, n)
	}
	return atom
}

// activeKeys returns the keys with which n indexes lastActive; a literal
// key is copied, another is shared with the index expression.
func activeKeys(n ast.Node) []ast.Node {
	var keys []ast.Node
	ast.Walk(&n, visitFunc(func(node *ast.Node) {
		m, ok := (*node).(*ast.MemberNode)
		if !ok {
			return
		}
		if id, ok := m.Node.(*ast.IdentifierNode); !ok || id.Value != "lastActive" {
			return
		}
		if s, ok := m.Property.(*ast.StringNode); ok {
			keys = append(keys, located(&ast.StringNode{Value: s.Value}, s))
			return
		}
		keys = append(keys, m.Property)
	}))
	return keys
}

// patchMatches turns "s matches p" with a non-literal pattern into a call of
// the cached matches function, so that no regular expression is compiled
// per evaluation. expr compiles literal patterns itself, once.
type patchMatches struct{}

func (patchMatches) Visit(node *ast.Node) {
	b, ok := (*node).(*ast.BinaryNode)
	if !ok || b.Operator != "matches" {
		return
	}
	if _, lit := b.Right.(*ast.StringNode); lit {
		return
	}
	call := &ast.CallNode{Callee: located(&ast.IdentifierNode{Value: "matches"}, b), Arguments: []ast.Node{b.Left, b.Right}}
	ast.Patch(node, located(call, b))
}

// countNodes returns the number of nodes under n.
func countNodes(n ast.Node) int {
	c := 0
	ast.Walk(&n, visitFunc(func(*ast.Node) { c++ }))
	return c
}
