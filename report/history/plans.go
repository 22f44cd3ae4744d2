package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/report"
)

// migrationPlans is schema v3: the plans table and the webhook events
// table, additive to v2.
const migrationPlans = `CREATE TABLE plans (
		id TEXT PRIMARY KEY,
		plan TEXT NOT NULL,       -- the actions.Plan, JSON
		policies TEXT NOT NULL,   -- JSON array
		status TEXT NOT NULL,     -- a PlanStatus
		issue_key TEXT NOT NULL,  -- the approval issue, '' if none
		source TEXT NOT NULL,     -- what made the plan: 'api', 'user_created', …
		run_id TEXT NOT NULL,     -- the run that applied it, '' before
		error TEXT NOT NULL,      -- the last failure, '' if none
		created TEXT NOT NULL,    -- RFC 3339, UTC
		updated TEXT NOT NULL
	);
	CREATE INDEX plans_status ON plans(status, created);
	CREATE INDEX plans_issue ON plans(issue_key);
	CREATE TABLE events (
		key TEXT PRIMARY KEY,     -- e.g. issue id and changelog id of a webhook
		received TEXT NOT NULL
	);`

// SavePlan records a plan, replacing the record of the same id.
func (s *SQLite) SavePlan(ctx context.Context, p PlanRecord) error {
	policies, _ := json.Marshal(nonNil(p.Policies))
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO plans (id, plan, policies, status, issue_key, source,
		run_id, error, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, string(p.Plan), string(policies),
		string(p.Status), p.IssueKey, p.Source, p.RunID, p.Error, ts(p.Created), ts(p.Updated))
	return err
}

const planColumns = `id, plan, policies, status, issue_key, source, run_id, error, created, updated`

func scanPlan(sc interface{ Scan(...any) error }) (PlanRecord, error) {
	var p PlanRecord
	var plan, policies, status, created, updated string
	if err := sc.Scan(&p.ID, &plan, &policies, &status, &p.IssueKey, &p.Source, &p.RunID, &p.Error, &created, &updated); err != nil {
		return p, err
	}
	p.Plan, p.Status = json.RawMessage(plan), PlanStatus(status)
	p.Created, p.Updated = parseTS(created), parseTS(updated)
	return p, json.Unmarshal([]byte(policies), &p.Policies)
}

// Plan returns the plan with the given id, or an error matching ErrNoPlan.
func (s *SQLite) Plan(ctx context.Context, id string) (PlanRecord, error) {
	p, err := scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: %s", ErrNoPlan, id)
	}
	return p, err
}

// PlanByIssue returns the newest plan whose approval issue is key (a key
// such as OPS-7), or an error matching ErrNoPlan.
func (s *SQLite) PlanByIssue(ctx context.Context, key string) (PlanRecord, error) {
	p, err := scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans
		WHERE issue_key != '' AND UPPER(issue_key) = UPPER(?) ORDER BY created DESC, id DESC LIMIT 1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: issue %s", ErrNoPlan, key)
	}
	return p, err
}

// Plans lists the plans with any of the statuses (every plan when none is
// given), oldest first.
func (s *SQLite) Plans(ctx context.Context, statuses ...PlanStatus) ([]PlanRecord, error) {
	q := `SELECT ` + planColumns + ` FROM plans`
	args := make([]any, len(statuses))
	if len(statuses) > 0 {
		q += ` WHERE status IN (?` + strings.Repeat(`, ?`, len(statuses)-1) + `)`
		for i, st := range statuses {
			args[i] = string(st)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY created, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PlanRecord
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdatePlan moves a plan to status to, with its run id and error, only if
// its status is one of from: a compare-and-set, so that of two callers
// (a webhook and the polling loop) only one claims a plan. It reports
// whether the plan moved.
func (s *SQLite) UpdatePlan(ctx context.Context, id string, from []PlanStatus, to PlanStatus, runID, errMsg string, now time.Time) (bool, error) {
	if len(from) == 0 {
		return false, errors.New("history: UpdatePlan needs the statuses to move from")
	}
	args := []any{string(to), runID, errMsg, ts(now), id}
	for _, st := range from {
		args = append(args, string(st))
	}
	res, err := s.db.ExecContext(ctx, `UPDATE plans SET status = ?, run_id = ?, error = ?, updated = ?
		WHERE id = ? AND status IN (?`+strings.Repeat(`, ?`, len(from)-1)+`)`, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FirstEvent records the key of an event (a webhook delivery) and reports
// whether it is the first time the key is seen: a replay gives false.
func (s *SQLite) FirstEvent(ctx context.Context, key string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO events (key, received) VALUES (?, ?)`, key, ts(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Run returns the summary of one run, or an error matching ErrNoRun.
func (s *SQLite) Run(ctx context.Context, runID string) (report.RunSummary, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: %s", ErrNoRun, runID)
	}
	return r, err
}
