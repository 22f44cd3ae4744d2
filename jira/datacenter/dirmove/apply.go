package dirmove

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira/datacenter"
)

// ApplyOptions tune [Apply] and [Undo].
type ApplyOptions struct {
	// Window is [CheckStopped]'s window (0: [DefaultWindow]).
	Window time.Duration
	// Journal, when set, receives one JSON line per user verified and a
	// last line saying whether the transaction committed.
	Journal io.Writer
	// Progress, when set, is called after each statement with the number
	// done and the total, inside the transaction.
	Progress func(done, total int)
	// Now is the journal's clock (time.Now when nil).
	Now func() time.Time
}

// JournalEntry is a line of the journal.
type JournalEntry struct {
	Time      time.Time `json:"time"`
	Operation string    `json:"operation"` // "migrate" or "undo"
	User      string    `json:"user,omitempty"`
	UserID    int64     `json:"userId,omitempty"`
	From      int64     `json:"from,omitempty"`
	To        int64     `json:"to,omitempty"`
	// Outcome is "verified" for a user, and "committed" or "rolled back"
	// (with Error) for the transaction.
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// Result is what Apply or Undo did.
type Result struct {
	Statements int
	Users      int
	Check      StopCheck
}

// Problem is a planned user whose rows are not as they should be.
type Problem struct {
	User   string
	Reason string
}

func (p Problem) String() string { return p.User + ": " + p.Reason }

// MismatchError is a plan that no longer matches the database (it changed
// since planning, or the plan file was edited): nothing was changed.
type MismatchError struct{ Differences []string }

func (e *MismatchError) Error() string {
	d := e.Differences
	more := ""
	if len(d) > 10 {
		d, more = d[:10], fmt.Sprintf("; and %d more", len(e.Differences)-10)
	}
	return "dirmove: refused: the plan does not match the database (plan again): " + strings.Join(d, "; ") + more
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *MismatchError) Is(target error) bool { return target == ErrRefused }

// VerifyError is a migration or undo whose result was not what the plan
// says; the transaction was rolled back.
// For an online move (Online) nothing is rolled back: the users listed
// are created but not verified.
type VerifyError struct {
	Problems []Problem
	Online   bool
}

func (e *VerifyError) Error() string {
	var s []string
	for _, p := range e.Problems[:min(len(e.Problems), 10)] {
		s = append(s, p.String())
	}
	what := "rolled back"
	if e.Online {
		what = "online, nothing rolled back"
	}
	return fmt.Sprintf("dirmove: verification failed for %s (%s): %s", plural(len(e.Problems), "user"), what, strings.Join(s, "; "))
}

// Check re-plans p's request from the database and reports how the plan
// differs from it: a plan is input, not authority. The creation time is
// not compared.
func Check(ctx context.Context, db Querier, p *Plan) error {
	if p.Format != FormatVersion {
		return &MismatchError{Differences: []string{fmt.Sprintf("format %d, want %d", p.Format, FormatVersion)}}
	}
	st, err := Inspect(ctx, db, p.Request)
	if err != nil {
		return err
	}
	fresh, err := NewPlan(st, p.Request, p.Created)
	if err != nil {
		return err
	}
	var diffs []string
	if !same(p.From, fresh.From) || !same(p.To, fresh.To) {
		diffs = append(diffs, "the directories changed")
	}
	want := map[string]Move{}
	for _, m := range fresh.Moves {
		want[strings.ToLower(m.User.Name)] = m
	}
	for _, m := range p.Moves {
		k := strings.ToLower(m.User.Name)
		w, ok := want[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: not to be moved now (%s)", m.User.Name, why(fresh, k)))
		case !same(m, w):
			diffs = append(diffs, fmt.Sprintf("%s: its rows changed since planning", m.User.Name))
		}
		delete(want, k)
	}
	for _, m := range fresh.Moves {
		if _, ok := want[strings.ToLower(m.User.Name)]; ok {
			diffs = append(diffs, fmt.Sprintf("%s: would be moved now but is not in the plan", m.User.Name))
		}
	}
	if !same(p.NewGroups, fresh.NewGroups) || !same(p.GroupSeq, fresh.GroupSeq) {
		diffs = append(diffs, "the groups to create or their ids changed")
	}
	if len(diffs) > 0 {
		return &MismatchError{Differences: diffs}
	}
	return nil
}

func why(p *Plan, lower string) string {
	for _, c := range p.Conflicts {
		if strings.ToLower(c.Source.Name) == lower {
			return "the name exists in " + p.To.Name
		}
	}
	for _, r := range p.Refused {
		if strings.ToLower(r.User) == lower {
			return r.Reason
		}
	}
	return "not in " + p.From.String()
}

func same(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// Apply carries p out on Jira's database db (dialect d), offline: it
// refuses when Jira is running ([CheckStopped]) or when the plan no
// longer matches the database ([Check]); then, in one transaction, it
// runs the statements [Render] gives (each must change exactly its rows),
// verifies every moved user ([Verify]), checks again that no node
// started, and commits. Any failure, a cancelled ctx or a killed process
// rolls everything back.
func Apply(ctx context.Context, db *sql.DB, d datacenter.Dialect, p *Plan, opt ApplyOptions) (Result, error) {
	return run(ctx, db, d, p, opt, false)
}

// Undo reverses a committed [Apply] of p: it refuses when Jira is running
// or when a planned user is not as the migration left it, then runs the
// undo statements in one transaction and verifies that every user, its
// attributes and memberships are back in the source directory.
func Undo(ctx context.Context, db *sql.DB, d datacenter.Dialect, p *Plan, opt ApplyOptions) (Result, error) {
	return run(ctx, db, d, p, opt, true)
}

func run(ctx context.Context, db *sql.DB, d datacenter.Dialect, p *Plan, opt ApplyOptions, undo bool) (res Result, err error) {
	if err := checkDialect(d); err != nil {
		return res, err
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	op := "migrate"
	if undo {
		op = "undo"
	}
	if res.Check, err = CheckStopped(ctx, db, d, opt.Window); err != nil {
		return res, err
	}
	scripts, err := Render(p, d)
	if err != nil {
		return res, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("dirmove: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
			if opt.Journal != nil {
				_ = json.NewEncoder(opt.Journal).Encode(JournalEntry{Time: now().UTC(), Operation: op, Outcome: "rolled back", Error: fmt.Sprint(err)})
			}
		}
	}()
	// The preconditions, read inside the transaction.
	if undo {
		if probs, err := Verify(ctx, tx, p, true); err != nil {
			return res, err
		} else if len(probs) > 0 {
			return res, &MismatchError{Differences: problemStrings(probs)}
		}
	} else if err := Check(ctx, tx, p); err != nil {
		return res, err
	}
	stmts := scripts.Migrate
	if undo {
		stmts = scripts.Undo
	}
	for i, st := range stmts {
		r, err := tx.ExecContext(ctx, st.SQL)
		if err != nil {
			return res, fmt.Errorf("dirmove: statement %d of %d (%s): %w", i+1, len(stmts), cmpOr(st.User, "plan"), err)
		}
		if st.Rows >= 0 {
			if n, err := r.RowsAffected(); err != nil || n != st.Rows {
				return res, fmt.Errorf("dirmove: statement %d of %d (%s) changed %d rows, want %d; rolled back: %s", i+1, len(stmts), cmpOr(st.User, "plan"), n, st.Rows, st.SQL)
			}
		}
		res.Statements++
		if opt.Progress != nil {
			opt.Progress(i+1, len(stmts))
		}
	}
	probs, err := Verify(ctx, tx, p, !undo)
	if err != nil {
		return res, err
	}
	if len(probs) > 0 {
		return res, &VerifyError{Problems: probs}
	}
	if _, err := CheckStopped(ctx, tx, d, opt.Window); err != nil {
		return res, err
	}
	var lines []JournalEntry
	for _, m := range p.offline() {
		e := JournalEntry{Time: now().UTC(), Operation: op, User: m.User.Name, UserID: m.User.ID, From: p.From.ID, To: p.To.ID, Outcome: "verified"}
		if undo {
			e.From, e.To = p.To.ID, p.From.ID
		}
		lines = append(lines, e)
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("dirmove: commit: %w", err)
	}
	committed = true
	res.Users = len(lines)
	if opt.Journal != nil {
		enc := json.NewEncoder(opt.Journal)
		for _, e := range lines {
			if err := enc.Encode(e); err != nil {
				return res, fmt.Errorf("dirmove: committed, but the journal: %w", err)
			}
		}
		if err := enc.Encode(JournalEntry{Time: now().UTC(), Operation: op, Outcome: "committed"}); err != nil {
			return res, fmt.Errorf("dirmove: committed, but the journal: %w", err)
		}
	}
	return res, nil
}

func problemStrings(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// Verify checks every user of p, one by one: moved (true) means the
// user's row, its planned attributes and its memberships are in the
// target directory, each membership's group there, the key unchanged;
// moved false means they are all where the plan found them. It returns
// the users that are not.
func Verify(ctx context.Context, db Querier, p *Plan, moved bool) ([]Problem, error) {
	want, other := p.To.ID, p.From.ID
	if !moved {
		want, other = other, want
	}
	var probs []Problem
	for _, m := range p.offline() {
		var reasons []string
		var dir int64 = -1
		var key sql.NullString
		if err := query(ctx, db, "SELECT u.directory_id, k.user_key FROM cwd_user u LEFT JOIN app_user k ON k.lower_user_name = u.lower_user_name WHERE u.id = "+id(m.User.ID),
			func(r *sql.Rows) error { return r.Scan(&dir, &key) }); err != nil {
			return nil, err
		}
		if dir != want {
			reasons = append(reasons, fmt.Sprintf("user row in directory %d, want %d", dir, want))
		}
		if key.String != m.Key {
			reasons = append(reasons, fmt.Sprintf("key %q, want %q", key.String, m.Key))
		}
		attrs := map[int64]int64{}
		if err := query(ctx, db, "SELECT id, directory_id FROM cwd_user_attributes WHERE user_id = "+id(m.User.ID), func(r *sql.Rows) error {
			var a, d int64
			err := r.Scan(&a, &d)
			attrs[a] = d
			return err
		}); err != nil {
			return nil, err
		}
		for _, a := range m.Attributes {
			if d, ok := attrs[a.ID]; !ok || d != want {
				reasons = append(reasons, fmt.Sprintf("attribute %s not in directory %d", a.Name, want))
			}
		}
		type mem struct {
			parent, dir int64
			group       string
			groupDir    sql.NullInt64
		}
		mems := map[int64]mem{}
		if err := query(ctx, db, "SELECT m.id, m.parent_id, m.directory_id, m.lower_parent_name, g.directory_id FROM cwd_membership m LEFT JOIN cwd_group g ON g.id = m.parent_id WHERE m.child_id = "+id(m.User.ID)+" AND m.membership_type = 'GROUP_USER'", func(r *sql.Rows) error {
			var mid int64
			var x mem
			err := r.Scan(&mid, &x.parent, &x.dir, &x.group, &x.groupDir)
			mems[mid] = x
			return err
		}); err != nil {
			return nil, err
		}
		for _, ms := range m.Memberships {
			x, ok := mems[ms.ID]
			wantGroup, wantParent := ms.ToGroup, ms.ToGroupID
			if !moved {
				wantGroup, wantParent = ms.FromGroup, ms.FromGroupID
			}
			if !ok || x.dir != want || x.parent != wantParent || x.groupDir.Int64 != want || x.group != strings.ToLower(wantGroup) {
				reasons = append(reasons, fmt.Sprintf("membership of %s not in directory %d", wantGroup, want))
			}
		}
		for _, x := range mems {
			if x.dir == other && moved {
				reasons = append(reasons, fmt.Sprintf("a membership of %s left in directory %d", x.group, other))
			}
		}
		if len(reasons) > 0 {
			slices.Sort(reasons)
			probs = append(probs, Problem{User: m.User.Name, Reason: strings.Join(slices.Compact(reasons), ", ")})
		}
	}
	return probs, nil
}

// IsRefused reports whether err is a refusal (Jira running, a read-only
// target, a plan that no longer matches): nothing was changed.
func IsRefused(err error) bool { return errors.Is(err, ErrRefused) }
