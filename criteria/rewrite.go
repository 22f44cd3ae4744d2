package criteria

import (
	"github.com/expr-lang/expr/ast"

	"github.com/seatwarden/seatwarden/jira"
)

// guard is a set of facts that must hold for a value to be read: bit i
// is the i-th variable with a fact in the vocabulary.
type guard uint8

// guardOf returns the facts the named variable needs to be known.
func guardOf(name string) guard { return vocabulary().guards[name] }

// reason says, for the first fact in g (in vocabulary order) that u
// lacks, why a value is unknown; "" when every fact holds.
func (g guard) reason(u *jira.User) string {
	for i, f := range vocabulary().facts {
		if g&(1<<i) == 0 {
			continue
		}
		if fl := flagOf(f.name); (facts(u, fl)&fl != 0) != f.fact.want {
			return f.fact.reason
		}
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

// guardsOf returns the facts that an atom reads. A comparison with "" of
// a variable that is "" when unknown (email, emailDomain) tests whether it
// is known and is not guarded.
func guardsOf(n ast.Node) guard {
	if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "==" || b.Operator == "!=") {
		if isEmptyIsUnknown(b.Left) && isEmptyString(b.Right) || isEmptyString(b.Left) && isEmptyIsUnknown(b.Right) {
			return 0
		}
	}
	var g guard
	identifiers(n, func(id *ast.IdentifierNode) { g |= guardOf(id.Value) })
	return g
}

// isEmptyIsUnknown reports whether n is a variable that is "" exactly
// when it is unknown.
func isEmptyIsUnknown(n ast.Node) bool {
	id, ok := n.(*ast.IdentifierNode)
	if !ok {
		return false
	}
	r, ok := vocabulary().vars[id.Value]
	return ok && r.emptyIsUnknown
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
	var out ast.Node
	for i, f := range vocabulary().facts {
		if g&(1<<i) == 0 {
			continue
		}
		t := located(&ast.IdentifierNode{Value: f.name}, loc)
		if !f.fact.want {
			t = located(&ast.UnaryNode{Operator: "!", Node: t}, loc)
		}
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
	// as the zero time, "long ago": guard a keyed map's index with "p" in
	// lastActive.
	for _, k := range keyedIndexes(n) {
		in := located(&ast.BinaryNode{Operator: "in", Left: k.key, Right: located(&ast.IdentifierNode{Value: k.name}, n)}, n)
		atom = and(in, atom, n)
	}
	return atom
}

// keyedIndex is an index of a keyed map variable.
type keyedIndex struct {
	name string
	key  ast.Node
}

// keyedIndexes returns the keys with which n indexes keyed map variables
// (lastActive); a literal key is copied, another is shared with the index
// expression.
func keyedIndexes(n ast.Node) []keyedIndex {
	var keys []keyedIndex
	ast.Walk(&n, visitFunc(func(node *ast.Node) {
		m, ok := (*node).(*ast.MemberNode)
		if !ok {
			return
		}
		id, ok := m.Node.(*ast.IdentifierNode)
		if !ok {
			return
		}
		if r, ok := vocabulary().vars[id.Value]; !ok || !r.keyed {
			return
		}
		if s, ok := m.Property.(*ast.StringNode); ok {
			keys = append(keys, keyedIndex{id.Value, located(&ast.StringNode{Value: s.Value}, s)})
			return
		}
		keys = append(keys, keyedIndex{id.Value, m.Property})
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
