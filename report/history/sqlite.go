package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history/internal/scan"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"
)

// migrations are the schema's versions: migrations[i] takes a database
// from version i to i+1 (PRAGMA user_version). Never edit one that has
// shipped; add the next.
var migrations = []string{
	// v1: runs, their outcomes, one row of counts per site and day.
	`CREATE TABLE runs (
		id TEXT PRIMARY KEY,
		plan_id TEXT NOT NULL,
		site TEXT NOT NULL,
		flavor TEXT NOT NULL,
		policies TEXT NOT NULL, -- JSON array
		dry_run INTEGER NOT NULL,
		started TEXT NOT NULL,  -- RFC 3339, UTC
		finished TEXT NOT NULL,
		steps INTEGER NOT NULL,
		counts TEXT NOT NULL,   -- JSON object, outcome -> steps
		approval_issue TEXT NOT NULL
	);
	CREATE INDEX runs_finished ON runs(site, finished);
	CREATE TABLE outcomes (
		run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		seq INTEGER NOT NULL,
		step_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		user TEXT NOT NULL,     -- JSON actions.Identity
		step TEXT NOT NULL,     -- JSON actions.Step
		outcome TEXT NOT NULL,
		message TEXT NOT NULL,
		error TEXT NOT NULL,
		PRIMARY KEY (run_id, seq)
	);
	CREATE INDEX outcomes_user ON outcomes(user_id);
	CREATE TABLE snapshots (
		site TEXT NOT NULL,
		day TEXT NOT NULL,      -- YYYY-MM-DD
		taken TEXT NOT NULL,
		total INTEGER NOT NULL,
		active INTEGER NOT NULL,
		inactive INTEGER NOT NULL,
		never_logged_in INTEGER NOT NULL,
		login_unknown INTEGER NOT NULL,
		last_login TEXT NOT NULL, -- JSON object, bucket -> users
		licensed TEXT NOT NULL,   -- JSON object, application -> users
		PRIMARY KEY (site, day)
	);`,
	// v2: the per-bucket and per-application counts move from JSON
	// columns into rows, so SQL can chart one application over time.
	`CREATE TABLE snapshot_counts (
		site TEXT NOT NULL,
		day TEXT NOT NULL,
		kind TEXT NOT NULL,     -- 'login' (a last-login bucket) or 'licence'
		key TEXT NOT NULL,      -- the bucket or the application
		users INTEGER NOT NULL,
		PRIMARY KEY (site, day, kind, key),
		FOREIGN KEY (site, day) REFERENCES snapshots(site, day) ON DELETE CASCADE
	);
	INSERT INTO snapshot_counts (site, day, kind, key, users)
		SELECT s.site, s.day, 'login', j.key, j.value FROM snapshots s, json_each(s.last_login) j;
	INSERT INTO snapshot_counts (site, day, kind, key, users)
		SELECT s.site, s.day, 'licence', j.key, j.value FROM snapshots s, json_each(s.licensed) j;
	ALTER TABLE snapshots DROP COLUMN last_login;
	ALTER TABLE snapshots DROP COLUMN licensed;`,
	// v3: plans waiting for approval (or applied, rejected…) and the
	// webhook events already handled, so that both survive a restart.
	migrationPlans,
	// v4: the on-login trigger's checks and per-user last logins.
	migrationLogins,
	// v5: the blast-radius limits a run overrode, and the reason given.
	migrationLimitOverride,
}

// migrationLimitOverride is v5, the same in SQLite and PostgreSQL: a run
// applied over its limits (actions.Run.LimitOverride) keeps the limits it
// went over and the reason given; both empty for a run within its limits and for
// the runs recorded before v5.
const migrationLimitOverride = `ALTER TABLE runs ADD COLUMN limit_override TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN limit_override_reason TEXT NOT NULL DEFAULT '';`

// MigrationLimitOverride is schema v5 for the PostgreSQL store, which
// keeps the same versions.
const MigrationLimitOverride = migrationLimitOverride

// overrideColumns returns a run's limit override as the runs table keeps
// it: the limits and the reason, both empty for none.
func overrideColumns(o *actions.LimitOverride) (limit, reason string) {
	if o == nil {
		return "", ""
	}
	return o.Limit, o.Reason
}

// LimitOverride returns the limit override of the runs table's columns:
// nil when no reason was recorded.
func LimitOverride(limit, reason string) *actions.LimitOverride {
	if reason == "" && limit == "" {
		return nil
	}
	return &actions.LimitOverride{Limit: limit, Reason: reason}
}

// SQLite is the embedded history [Store]: one SQLite file, through the
// pure-Go modernc.org/sqlite driver (no cgo). Opening it migrates the
// schema to the newest version, each migration in a transaction.
type SQLite struct {
	db *sql.DB
}

// ErrSchemaTooNew is returned when a history file was written by a newer
// version of this package.
var ErrSchemaTooNew = errors.New("history: schema is newer than this program")

// OpenSQLite opens (creating if needed) the history file at path and
// migrates it to the newest schema.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	return openSQLite(ctx, path, len(migrations))
}

func openSQLite(ctx context.Context, path string, version int) (*SQLite, error) {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	s := &SQLite{db: db}
	if err := s.migrate(ctx, version); err != nil {
		db.Close()
		return nil, fmt.Errorf("history: %s: %w", path, err)
	}
	return s, nil
}

// Version returns the schema version of the open file.
func (s *SQLite) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func (s *SQLite) migrate(ctx context.Context, target int) error {
	cur, err := s.Version(ctx)
	if err != nil {
		return err
	}
	if cur > len(migrations) {
		return fmt.Errorf("%w: version %d, this program knows %d", ErrSchemaTooNew, cur, len(migrations))
	}
	for v := cur; v < target; v++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to v%d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the file.
func (s *SQLite) Close() error { return s.db.Close() }

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// SaveRun implements Store.
func (s *SQLite) SaveRun(ctx context.Context, r *report.Report) error {
	policies, _ := json.Marshal(nonNil(r.Policies))
	counts, _ := json.Marshal(r.Counts)
	flavor := ""
	if r.Flavor != 0 {
		flavor = r.Flavor.String()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE id = ?`, r.RunID); err != nil {
		return err
	}
	limit, reason := overrideColumns(r.LimitOverride)
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs (id, plan_id, site, flavor, policies, dry_run, started,
		finished, steps, counts, approval_issue, limit_override, limit_override_reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.RunID, r.PlanID, r.Site, flavor, string(policies), r.DryRun, ts(r.Started), ts(r.Finished),
		len(r.Results), string(counts), r.ApprovalIssue, limit, reason); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO outcomes (run_id, seq, step_id, user_id, user, step,
		outcome, message, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, res := range r.Results {
		user, _ := json.Marshal(res.User)
		step, _ := json.Marshal(res.Step)
		msg := res.Error
		if msg == "" && res.Err != nil {
			msg = res.Err.Error()
		}
		if _, err := stmt.ExecContext(ctx, r.RunID, i, res.StepID, res.User.ID(), string(user), string(step),
			string(res.Outcome), res.Message, msg); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// runColumns are the columns scanRun reads.
const runColumns = `id, plan_id, site, flavor, policies, dry_run, started, finished, steps, counts, approval_issue,
	limit_override, limit_override_reason`

func scanRun(sc scan.Scanner) (report.RunSummary, error) {
	var r report.RunSummary
	var flavor, policies, started, finished, counts, limit, reason string
	if err := sc.Scan(&r.RunID, &r.PlanID, &r.Site, &flavor, &policies, &r.DryRun, &started, &finished,
		&r.Steps, &counts, &r.ApprovalIssue, &limit, &reason); err != nil {
		return r, err
	}
	if flavor != "" {
		r.Flavor, _ = jira.ParseFlavor(flavor)
	}
	r.Started, r.Finished = parseTS(started), parseTS(finished)
	r.LimitOverride = LimitOverride(limit, reason)
	if err := json.Unmarshal([]byte(policies), &r.Policies); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(counts), &r.Counts)
}

// Runs implements Store.
func (s *SQLite) Runs(ctx context.Context, site string, from, to time.Time) ([]report.RunSummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs
		WHERE (? = '' OR site = ?) AND finished >= ? AND finished < ? ORDER BY finished DESC, id DESC`,
		site, site, ts(from), ts(to))
	if err != nil {
		return nil, err
	}
	return scan.All(rows, scanRun)
}

// Results implements Store.
func (s *SQLite) Results(ctx context.Context, runID string) ([]actions.Result, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step_id, user, step, outcome, message, error FROM outcomes
		WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	return scan.All(rows, scan.Result)
}

// SaveSnapshot implements Store.
func (s *SQLite) SaveSnapshot(ctx context.Context, sum report.SnapshotSummary) error {
	d := day(sum.Day).Format(time.DateOnly)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM snapshots WHERE site = ? AND day = ?`, sum.Site, d); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO snapshots (site, day, taken, total, active, inactive,
		never_logged_in, login_unknown) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sum.Site, d, ts(sum.Taken), sum.Total,
		sum.Active, sum.Inactive, sum.NeverLoggedIn, sum.LoginUnknown); err != nil {
		return err
	}
	for kind, m := range map[string]map[string]int{"login": sum.LastLogin, "licence": sum.Licensed} {
		for k, n := range m {
			if _, err := tx.ExecContext(ctx, `INSERT INTO snapshot_counts (site, day, kind, key, users)
				VALUES (?, ?, ?, ?, ?)`, sum.Site, d, kind, k, n); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// Snapshots implements Store.
func (s *SQLite) Snapshots(ctx context.Context, site string, from, to time.Time) ([]report.SnapshotSummary, error) {
	f, t := day(from).Format(time.DateOnly), day(to).AddDate(0, 0, 1).Format(time.DateOnly)
	rows, err := s.db.QueryContext(ctx, `SELECT day, taken, total, active, inactive, never_logged_in,
		login_unknown FROM snapshots WHERE site = ? AND day >= ? AND day < ? ORDER BY day`, site, f, t)
	if err != nil {
		return nil, err
	}
	var out []report.SnapshotSummary
	index := map[string]int{}
	for rows.Next() {
		sum := report.SnapshotSummary{Site: site, LastLogin: map[string]int{}, Licensed: map[string]int{}}
		var d, taken string
		if err := rows.Scan(&d, &taken, &sum.Total, &sum.Active, &sum.Inactive, &sum.NeverLoggedIn,
			&sum.LoginUnknown); err != nil {
			rows.Close()
			return nil, err
		}
		sum.Day, _ = time.Parse(time.DateOnly, d)
		sum.Taken = parseTS(taken)
		index[d] = len(out)
		out = append(out, sum)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	crow, err := s.db.QueryContext(ctx, `SELECT day, kind, key, users FROM snapshot_counts
		WHERE site = ? AND day >= ? AND day < ?`, site, f, t)
	if err != nil {
		return nil, err
	}
	if err := scan.Counts(crow, out, index); err != nil {
		return nil, err
	}
	return out, nil
}

// day returns the day of t: 00:00 UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
