package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// plainNumber is a cell a spreadsheet reads as a number and nothing else.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// SafeCell makes a CSV cell safe to open in a spreadsheet: a cell
// that starts with =, +, -, @, a tab or a carriage return — which
// Excel, LibreOffice and Google Sheets would read as a formula —
// gets a leading apostrophe, as OWASP's "CSV Injection" advice says
// (quoting is left to encoding/csv). Plain numbers such as "-3" are kept.
func SafeCell(s string) string {
	if s == "" || plainNumber.MatchString(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvWriter writes spreadsheet-safe rows.
type csvWriter struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

func (c *csvWriter) row(cells ...string) error {
	safe := make([]string, len(cells))
	for i, s := range cells {
		safe[i] = SafeCell(s)
	}
	return c.w.Write(safe)
}

func (c *csvWriter) flush() error { c.w.Flush(); return c.w.Error() }

// outcomeColumns are the columns of [WriteOutcomesCSV].
var outcomeColumns = []string{"runId", "stepId", "user", "key", "name", "accountId", "email", "displayName",
	"policies", "step", "target", "outcome", "message", "error"}

// OutcomeColumns returns the columns of [WriteOutcomesCSV], in order.
func OutcomeColumns() []string { return slices.Clone(outcomeColumns) }

// WriteOutcomesCSV writes one row per step result of r, under a header of
// [OutcomeColumns]. "user" is the user's most stable id; "policies" are
// separated by "; ".
func WriteOutcomesCSV(w io.Writer, r *Report) error {
	c := newCSV(w)
	if err := c.row(outcomeColumns...); err != nil {
		return err
	}
	policies := r.policiesOf()
	for _, res := range r.Results {
		msg := res.Error
		if msg == "" && res.Err != nil {
			msg = res.Err.Error()
		}
		u := res.User
		if err := c.row(r.RunID, res.StepID, u.ID(), u.Key, u.Name, u.AccountID, u.Email, u.DisplayName,
			strings.Join(policies(u.ID()), "; "), string(res.Step.Kind), res.Step.Target(), string(res.Outcome),
			res.Message, msg); err != nil {
			return err
		}
	}
	return c.flush()
}

// planColumns are the columns of [WritePlanCSV].
var planColumns = []string{"planId", "user", "key", "name", "accountId", "email", "displayName", "policies",
	"step", "target", "noop", "why"}

// PlanColumns returns the columns of [WritePlanCSV], in order.
func PlanColumns() []string { return slices.Clone(planColumns) }

// WritePlanCSV writes a plan: one row per step and per no-op of each user
// (a no-op row says why in "noop"), then one row per exempt user with step
// "exempt" and the reason in "why".
func WritePlanCSV(w io.Writer, p *actions.Plan) error {
	c := newCSV(w)
	if err := c.row(planColumns...); err != nil {
		return err
	}
	for _, up := range p.Users {
		u := up.User
		var why []string
		for _, r := range up.Why {
			why = append(why, r.Policy+": "+r.Explanation)
		}
		for _, st := range slices.Concat(up.Steps, up.NoOps) {
			if err := c.row(p.ID, u.ID(), u.Key, u.Name, u.AccountID, u.Email, u.DisplayName,
				strings.Join(up.Policies, "; "), string(st.Kind), st.Target(), st.NoOp, strings.Join(why, "; ")); err != nil {
				return err
			}
		}
	}
	for _, ex := range p.Exempt {
		u := ex.User
		if err := c.row(p.ID, u.ID(), u.Key, u.Name, u.AccountID, u.Email, u.DisplayName, ex.Policy,
			"exempt", "", "", ex.Reason); err != nil {
			return err
		}
	}
	return c.flush()
}

// Column is a column of the users export: its header and how to read it
// from a user at an instant.
type Column struct {
	Name  string
	Value func(u *jira.User, now time.Time) string
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// userColumns are the columns the users export knows, by name (see
// [UserColumns]).
var userColumns = map[string]Column{
	"key":         {"key", func(u *jira.User, _ time.Time) string { return u.Key }},
	"name":        {"name", func(u *jira.User, _ time.Time) string { return u.Name }},
	"accountId":   {"accountId", func(u *jira.User, _ time.Time) string { return u.AccountID }},
	"displayName": {"displayName", func(u *jira.User, _ time.Time) string { return u.DisplayName }},
	"email":       {"email", func(u *jira.User, _ time.Time) string { return u.Email }},
	"active":      {"active", func(u *jira.User, _ time.Time) string { return strconv.FormatBool(u.Active) }},
	"accountType": {"accountType", func(u *jira.User, _ time.Time) string { return string(u.AccountType) }},
	"directory":   {"directory", func(u *jira.User, _ time.Time) string { return u.Directory }},
	"groups":      {"groups", func(u *jira.User, _ time.Time) string { return strings.Join(u.Groups, "; ") }},
	"licences":    {"licences", func(u *jira.User, _ time.Time) string { return strings.Join(u.Licences, "; ") }},
	"created":     {"created", func(u *jira.User, _ time.Time) string { return date(u.Created) }},
	"lastLogin": {"lastLogin", func(u *jira.User, _ time.Time) string {
		switch {
		case !u.LastLogin.Known:
			return "unknown"
		case u.LastLogin.Never():
			return "never"
		}
		return date(u.LastLogin.Time)
	}},
	"daysSinceLastLogin": {"daysSinceLastLogin", func(u *jira.User, now time.Time) string {
		if !u.LastLogin.Known || u.LastLogin.Never() {
			return ""
		}
		return strconv.Itoa(daysBetween(u.LastLogin.Time, now))
	}},
	"loginCount": {"loginCount", func(u *jira.User, _ time.Time) string {
		if u.LoginCount == nil {
			return ""
		}
		return strconv.Itoa(*u.LoginCount)
	}},
}

// defaultUserColumns is the users export's default choice of columns.
var defaultUserColumns = []string{"name", "accountId", "displayName", "email", "active", "directory",
	"licences", "created", "lastLogin", "daysSinceLastLogin"}

// UserColumns returns the names of the columns the users export knows,
// sorted: key, name, accountId, displayName, email, active, accountType,
// directory, groups, licences (both separated by "; "), created,
// lastLogin ("never", "unknown" or RFC 3339), daysSinceLastLogin (empty
// when never or unknown), loginCount (empty when unknown).
func UserColumns() []string { return slices.Sorted(maps.Keys(userColumns)) }

// DefaultUserColumns returns the names of the users export's default
// columns, in order.
func DefaultUserColumns() []string { return slices.Clone(defaultUserColumns) }

// Columns looks up columns of [UserColumns] by name ("lastLogin",
// "email", …); an unknown name is an error that lists the known ones.
func Columns(names ...string) ([]Column, error) {
	out := make([]Column, 0, len(names))
	for _, n := range names {
		c, ok := userColumns[strings.TrimSpace(n)]
		if !ok {
			return nil, fmt.Errorf("report: unknown user column %q (known: %s)", n, strings.Join(UserColumns(), ", "))
		}
		out = append(out, c)
	}
	return out, nil
}

// WriteUsersCSV writes a users export: a header of the columns' names,
// then one row per user. now is the instant daysSinceLastLogin counts to.
func WriteUsersCSV(w io.Writer, users []jira.User, columns []Column, now time.Time) error {
	c := newCSV(w)
	head := make([]string, len(columns))
	for i, col := range columns {
		head[i] = col.Name
	}
	if err := c.row(head...); err != nil {
		return err
	}
	row := make([]string, len(columns))
	for i := range users {
		for j, col := range columns {
			row[j] = col.Value(&users[i], now)
		}
		if err := c.row(row...); err != nil {
			return err
		}
	}
	return c.flush()
}

// CSV is the CSV sink: each report writes its outcomes (see
// [WriteOutcomesCSV]), and optionally its plan and its users, to files.
type CSV struct {
	mu sync.Mutex
	// Path is the outcomes file, replaced by each run.
	Path string
	// PlanPath, when set, receives the report's plan (if it has one).
	PlanPath string
	// UsersPath, when set, receives the report's users with UserColumns
	// (default: the columns of [DefaultUserColumns]).
	UsersPath   string
	UserColumns []Column
	// W, when Path is empty, receives the outcomes instead of a file.
	W io.Writer
}

// Name returns "csv" and the outcomes file's path.
func (s *CSV) Name() string {
	if s.Path != "" {
		return "csv " + s.Path
	}
	return "csv"
}

// Write writes the outcomes, and the plan and users when asked for.
func (s *CSV) Write(_ context.Context, r *Report) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.Path != "" {
		err = createFile(s.Path, func(w io.Writer) error { return WriteOutcomesCSV(w, r) })
	} else if s.W != nil {
		err = WriteOutcomesCSV(s.W, r)
	}
	if err != nil {
		return err
	}
	if s.PlanPath != "" && r.Plan != nil {
		if err := createFile(s.PlanPath, func(w io.Writer) error { return WritePlanCSV(w, r.Plan) }); err != nil {
			return err
		}
	}
	if s.UsersPath != "" {
		cols := s.UserColumns
		if cols == nil {
			cols, _ = Columns(defaultUserColumns...)
		}
		now := r.Finished
		if now.IsZero() {
			now = time.Now()
		}
		return createFile(s.UsersPath, func(w io.Writer) error { return WriteUsersCSV(w, r.Users, cols, now) })
	}
	return nil
}

// daysBetween counts whole days from a to b (0 when b is before a).
func daysBetween(a, b time.Time) int {
	if b.Before(a) {
		return 0
	}
	return int(b.Sub(a) / (24 * time.Hour))
}
