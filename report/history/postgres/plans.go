package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/seatwarden/seatwarden/report/history"
)

// SavePlan implements history.PlanStore: it records a plan, replacing the
// record of the same id.
func (s *Store) SavePlan(ctx context.Context, p history.PlanRecord) error {
	policies, _ := json.Marshal(nonNil(p.Policies))
	_, err := s.db.ExecContext(ctx, `INSERT INTO plans (id, plan, policies, status, issue_key, source, run_id, error,
		created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET plan = EXCLUDED.plan, policies = EXCLUDED.policies, status = EXCLUDED.status,
		issue_key = EXCLUDED.issue_key, source = EXCLUDED.source, run_id = EXCLUDED.run_id, error = EXCLUDED.error,
		created = EXCLUDED.created, updated = EXCLUDED.updated`,
		p.ID, string(p.Plan), string(policies), string(p.Status), p.IssueKey, p.Source, p.RunID, p.Error, p.Created, p.Updated)
	return err
}

const planColumns = `id, plan, policies, status, issue_key, source, run_id, error, created, updated`

func scanPlan(sc interface{ Scan(...any) error }) (history.PlanRecord, error) {
	var p history.PlanRecord
	var plan, policies, status string
	if err := sc.Scan(&p.ID, &plan, &policies, &status, &p.IssueKey, &p.Source, &p.RunID, &p.Error, &p.Created, &p.Updated); err != nil {
		return p, err
	}
	p.Plan, p.Status = json.RawMessage(plan), history.PlanStatus(status)
	p.Created, p.Updated = p.Created.UTC(), p.Updated.UTC()
	return p, json.Unmarshal([]byte(policies), &p.Policies)
}

// Plan implements history.PlanStore.
func (s *Store) Plan(ctx context.Context, id string) (history.PlanRecord, error) {
	p, err := scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: %s", history.ErrNoPlan, id)
	}
	return p, err
}

// PlanByIssue implements history.PlanStore.
func (s *Store) PlanByIssue(ctx context.Context, key string) (history.PlanRecord, error) {
	p, err := scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans
		WHERE issue_key <> '' AND upper(issue_key) = upper($1) ORDER BY created DESC, id DESC LIMIT 1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: issue %s", history.ErrNoPlan, key)
	}
	return p, err
}

func statusTexts(statuses []history.PlanStatus) []string {
	out := make([]string, len(statuses))
	for i, st := range statuses {
		out[i] = string(st)
	}
	return out
}

// Plans implements history.PlanStore.
func (s *Store) Plans(ctx context.Context, statuses ...history.PlanStatus) ([]history.PlanRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+planColumns+` FROM plans
		WHERE cardinality($1::text[]) = 0 OR status = ANY($1::text[]) ORDER BY created, id`, statusTexts(statuses))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []history.PlanRecord
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdatePlan implements history.PlanStore: in one transaction it locks
// the plan's row (SELECT … FOR UPDATE), checks that its status is one of
// from and moves it. Of several replicas claiming a plan at once, the
// others wait for the lock, then see the new status: exactly one moves it.
func (s *Store) UpdatePlan(ctx context.Context, id string, from []history.PlanStatus, to history.PlanStatus, runID, errMsg string, now time.Time) (bool, error) {
	if len(from) == 0 {
		return false, errors.New("history: UpdatePlan needs the statuses to move from")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var status string
	switch err := tx.QueryRowContext(ctx, `SELECT status FROM plans WHERE id = $1 FOR UPDATE`, id).Scan(&status); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	if !slices.Contains(from, history.PlanStatus(status)) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE plans SET status = $1, run_id = $2, error = $3, updated = $4 WHERE id = $5`,
		string(to), runID, errMsg, now, id); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}

// FirstEvent implements history.PlanStore: the first of several replicas
// recording a key gets true, every other false.
func (s *Store) FirstEvent(ctx context.Context, key string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO events (key, received) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
