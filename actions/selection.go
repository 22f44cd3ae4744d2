package actions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
)

// IDKind says what a selection value identifies a user by.
type IDKind string

// The kinds of user identifier in a selection.
const (
	ByUsername  IDKind = "username"
	ByKey       IDKind = "key"
	ByAccountID IDKind = "accountId"
	ByEmail     IDKind = "email"
)

// SelectionRow is one row of a selection: its row number in the file
// (counting the header, from 1) and the identifiers it gives.
type SelectionRow struct {
	Row int               `json:"row"`
	IDs map[IDKind]string `json:"ids"`
}

// Selection is a list of users read from a CSV file by [ReadSelection].
// A policy with a Selection selects the users it lists (intersected with
// its matcher when it has one).
type Selection struct {
	Rows []SelectionRow `json:"rows"`
	// Problems are the rows that select nobody: empty rows found when
	// reading, unknown, ambiguous and duplicate rows found when planning.
	Problems []SelectionProblem `json:"problems,omitempty"`
}

// SelectionProblem is a row of a selection that selects nobody, and why.
type SelectionProblem struct {
	Policy string `json:"policy,omitempty"`
	Row    int    `json:"row"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// String returns "row N: reason".
func (p SelectionProblem) String() string {
	s := fmt.Sprintf("row %d", p.Row)
	if p.Value != "" {
		s += " (" + p.Value + ")"
	}
	return s + ": " + p.Reason
}

var headerNames = map[string]IDKind{
	"username": ByUsername, "user name": ByUsername, "user_name": ByUsername, "name": ByUsername,
	"login": ByUsername, "user": ByUsername,
	"key": ByKey, "userkey": ByKey, "user key": ByKey, "user_key": ByKey,
	"accountid": ByAccountID, "account id": ByAccountID, "account_id": ByAccountID,
	"email": ByEmail, "e-mail": ByEmail, "emailaddress": ByEmail, "email address": ByEmail, "email_address": ByEmail, "mail": ByEmail,
}

// accountIDPattern matches Cloud accountIds: "712020:<uuid>", a bare
// UUID, or 24 hex digits (older accounts).
var accountIDPattern = regexp.MustCompile(`^(?:[0-9]+:[0-9a-fA-F-]{36}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{24})$`)

// InferKind guesses what a lone identifier is: an email when it has an
// "@", an accountId when it looks like one, else a username.
func InferKind(v string) IDKind {
	switch {
	case strings.Contains(v, "@"):
		return ByEmail
	case accountIDPattern.MatchString(v):
		return ByAccountID
	default:
		return ByUsername
	}
}

// ReadSelection reads a CSV list of users. The first row is a header when
// every cell in it names a column — username (or name, login), key,
// accountId (or account id) or email, ignoring case — and any other
// column makes it an error; without a header the file must have one
// column, and each value's kind is inferred ([InferKind]). Blank lines
// are skipped; a row whose identifiers are all empty is a problem, not
// an error. Errors name the row and column: "row 7, column 2: …".
func ReadSelection(r io.Reader) (*Selection, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	sel := &Selection{}
	var cols []IDKind
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				return nil, fmt.Errorf("actions: selection row %d, column %d: %w", pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("actions: selection: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if cols == nil {
			if kinds, ok := header(rec); ok {
				cols = kinds
				continue
			}
			if len(rec) > 1 {
				col := 1
				for i, c := range rec {
					if _, known := headerNames[strings.ToLower(strings.TrimSpace(c))]; !known {
						col = i + 1
						break
					}
				}
				return nil, fmt.Errorf("actions: selection row %d, column %d: %q is not a column name (username, key, accountId, email), and a file without a header must have one column", line, col, rec[col-1])
			}
			cols = []IDKind{""} // one column, kind inferred per value
		}
		if len(rec) > len(cols) {
			return nil, fmt.Errorf("actions: selection row %d, column %d: %d values but the header names %d columns", line, len(cols)+1, len(rec), len(cols))
		}
		row := SelectionRow{Row: line, IDs: map[IDKind]string{}}
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			k := cols[i]
			if k == "" {
				k = InferKind(v)
			}
			row.IDs[k] = v
		}
		if len(row.IDs) == 0 {
			if len(rec) > 1 || strings.TrimSpace(rec[0]) != "" || len(cols) > 1 {
				sel.Problems = append(sel.Problems, SelectionProblem{Row: line, Reason: "no identifier"})
			}
			continue
		}
		sel.Rows = append(sel.Rows, row)
	}
	return sel, nil
}

// header reports whether rec is a header, and the kind of each column.
func header(rec []string) ([]IDKind, bool) {
	kinds := make([]IDKind, len(rec))
	for i, c := range rec {
		k, ok := headerNames[strings.ToLower(strings.TrimSpace(c))]
		if !ok {
			return nil, false
		}
		kinds[i] = k
	}
	return kinds, true
}

// resolver matches a selection's rows to users as they stream past.
type resolver struct {
	policy string
	sel    *Selection
	// index maps "kind\x00value" to the rows that give it.
	index map[string][]int
	// matched maps a row index to the IDs of the users it matched.
	matched [][]string
}

func newResolver(policy string, sel *Selection) *resolver {
	r := &resolver{policy: policy, sel: sel, index: map[string][]int{}, matched: make([][]string, len(sel.Rows))}
	for i, row := range sel.Rows {
		for k, v := range row.IDs {
			r.index[indexKey(k, v)] = append(r.index[indexKey(k, v)], i)
		}
	}
	return r
}

func indexKey(k IDKind, v string) string {
	if k == ByUsername || k == ByEmail {
		v = strings.ToLower(v)
	}
	return string(k) + "\x00" + v
}

// rows returns the rows that name u, recording the match.
func (r *resolver) rows(u *jira.User) []int {
	var out []int
	add := func(k IDKind, v string) {
		if v == "" {
			return
		}
		for _, i := range r.index[indexKey(k, v)] {
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	add(ByKey, u.Key)
	add(ByUsername, u.Name)
	add(ByAccountID, u.AccountID)
	add(ByEmail, u.Email)
	for _, i := range out {
		if !slices.Contains(r.matched[i], u.ID()) {
			r.matched[i] = append(r.matched[i], u.ID())
		}
	}
	return out
}

// finish returns the problems once every user has been seen, and the set
// of (row → usable) rows: a row is usable when it matched exactly one user
// and is the first row to name that user.
func (r *resolver) finish() (problems []SelectionProblem, usable []bool) {
	usable = make([]bool, len(r.sel.Rows))
	first := map[string]int{}
	for _, p := range r.sel.Problems {
		p.Policy = r.policy
		problems = append(problems, p)
	}
	for i, row := range r.sel.Rows {
		value := rowValue(row)
		switch m := r.matched[i]; {
		case len(m) == 0:
			problems = append(problems, SelectionProblem{Policy: r.policy, Row: row.Row, Value: value, Reason: "unknown user"})
		case len(m) > 1:
			problems = append(problems, SelectionProblem{Policy: r.policy, Row: row.Row, Value: value,
				Reason: fmt.Sprintf("ambiguous: matches %d users (%s)", len(m), strings.Join(m, ", "))})
		default:
			if j, dup := first[m[0]]; dup {
				problems = append(problems, SelectionProblem{Policy: r.policy, Row: row.Row, Value: value,
					Reason: fmt.Sprintf("duplicate of row %d", r.sel.Rows[j].Row)})
				continue
			}
			first[m[0]] = i
			usable[i] = true
		}
	}
	return problems, usable
}

func rowValue(row SelectionRow) string {
	for _, k := range []IDKind{ByKey, ByAccountID, ByUsername, ByEmail} {
		if v, ok := row.IDs[k]; ok {
			return v
		}
	}
	return ""
}
