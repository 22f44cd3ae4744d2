package criteria

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"

	"github.com/seatwarden/seatwarden/internal/textdist"
)

// CompileError is a criterion that does not compile: a syntax error, a type
// error, an unknown name, an invalid literal or a limit exceeded.
type CompileError struct {
	// Line and Column locate the mistake, both counted from 1 (Column in
	// characters); they are 0 when the error concerns the whole criterion.
	Line, Column int
	// Snippet is the source line followed by a line with a caret under
	// Column; empty when Line is 0.
	Snippet string
	// Msg says what is wrong, e.g. "unknown name lastlogin; did you mean
	// lastLogin?".
	Msg string
	// Err is the underlying expr error, if any.
	Err error
}

// Error returns "criteria: " followed by the message, the position and the
// snippet.
func (e *CompileError) Error() string {
	if e.Line == 0 {
		return "criteria: " + e.Msg
	}
	return fmt.Sprintf("criteria: %s (line %d, column %d)\n%s", e.Msg, e.Line, e.Column, e.Snippet)
}

// Unwrap returns the underlying expr error.
func (e *CompileError) Unwrap() error { return e.Err }

// newCompileError turns an error from expr's parser, checker or optimiser
// into a *CompileError over src.
func newCompileError(src string, err error) *CompileError {
	var fe *file.Error
	if !errors.As(err, &fe) {
		msg := err.Error()
		if rest, ok := strings.CutPrefix(msg, "expected bool, but got "); ok {
			msg = "criterion must be a bool expression, not " + rest
		}
		return &CompileError{Msg: msg, Err: err}
	}
	ce := &CompileError{Msg: improve(fe.Message), Err: err}
	if fe.Snippet != "" || fe.From > 0 {
		ce.Line, ce.Column, ce.Snippet = position(src, fe.From)
	}
	return ce
}

// compileErrorAt returns a *CompileError at node n of src.
func compileErrorAt(src string, n ast.Node, msg string) *CompileError {
	line, col, snip := position(src, n.Location().From)
	return &CompileError{Line: line, Column: col, Snippet: snip, Msg: msg}
}

// position returns the line, column (from 1) and snippet of the offset
// (counted in runes, as expr counts) in src.
func position(src string, runeOffset int) (line, col int, snippet string) {
	line, col = 1, 1
	start := 0
	for i, r := range src {
		if runeOffset == 0 {
			break
		}
		runeOffset--
		if r == '\n' {
			line++
			col = 1
			start = i + 1
		} else {
			col++
		}
	}
	end := strings.IndexByte(src[start:], '\n')
	text := src[start:]
	if end >= 0 {
		text = src[start : start+end]
	}
	var caret strings.Builder
	n := 0
	for _, r := range text {
		if n == col-1 {
			break
		}
		if r == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
		n++
	}
	for ; n < col-1; n++ {
		caret.WriteByte(' ')
	}
	caret.WriteByte('^')
	return line, col, "  " + text + "\n  " + caret.String()
}

// improve adds hints to expr's messages: the closest known names for an
// unknown one, and how to write matches.
func improve(msg string) string {
	if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
		if s := suggest(name); len(s) > 0 {
			return msg + "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return msg
	}
	if strings.Contains(msg, `Operator("matches")`) {
		return msg + `; matches is an operator: write s matches "regexp"`
	}
	return msg
}

// knownNames returns the names a criterion can use: the language's
// variables and functions and expr's builtins (except now).
func knownNames() []string {
	var names []string
	for _, s := range Reference() {
		names = append(names, s.Name)
	}
	for _, b := range builtin.Builtins {
		if b.Name != "now" && !strings.HasPrefix(b.Name, "$") {
			names = append(names, b.Name)
		}
	}
	return names
}

// suggest returns up to three known names closest to name, compared
// without regard to case.
func suggest(name string) []string {
	type cand struct {
		name string
		d    int
	}
	lname := strings.ToLower(name)
	limit := max(2, utf8.RuneCountInString(name)/3)
	var cs []cand
	for _, k := range knownNames() {
		if d := textdist.Levenshtein(lname, strings.ToLower(k)); d <= limit {
			cs = append(cs, cand{k, d})
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, c := range cs {
		if len(out) == 3 {
			break
		}
		if !slices.Contains(out, c.name) {
			out = append(out, c.name)
		}
	}
	return out
}
