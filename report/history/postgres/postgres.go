package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the driver "pgx"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/internal/scan"
)

// migrations are the schema's versions, the SQLite store's in
// PostgreSQL's types: migrations[i] takes a database from version i to
// i+1. Never edit one that has shipped; add the next.
var migrations = []string{
	// v1: runs, their outcomes, one row of counts per site and day.
	`CREATE TABLE runs (
		id TEXT PRIMARY KEY,
		plan_id TEXT NOT NULL,
		site TEXT NOT NULL,
		flavor TEXT NOT NULL,
		policies JSONB NOT NULL,  -- array of names
		dry_run BOOLEAN NOT NULL,
		started TIMESTAMPTZ NOT NULL,
		finished TIMESTAMPTZ NOT NULL,
		steps INTEGER NOT NULL,
		counts JSONB NOT NULL,    -- outcome -> steps
		approval_issue TEXT NOT NULL
	);
	CREATE INDEX runs_finished ON runs(site, finished);
	CREATE INDEX runs_policies ON runs USING GIN (policies);
	CREATE TABLE outcomes (
		run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		seq INTEGER NOT NULL,
		step_id TEXT NOT NULL,
		user_id TEXT NOT NULL,
		"user" JSONB NOT NULL,    -- actions.Identity
		step JSONB NOT NULL,      -- actions.Step
		outcome TEXT NOT NULL,
		message TEXT NOT NULL,
		error TEXT NOT NULL,
		PRIMARY KEY (run_id, seq)
	);
	CREATE INDEX outcomes_user ON outcomes(user_id);
	CREATE TABLE snapshots (
		site TEXT NOT NULL,
		day DATE NOT NULL,
		taken TIMESTAMPTZ NOT NULL,
		total INTEGER NOT NULL,
		active INTEGER NOT NULL,
		inactive INTEGER NOT NULL,
		never_logged_in INTEGER NOT NULL,
		login_unknown INTEGER NOT NULL,
		last_login JSONB NOT NULL, -- bucket -> users
		licensed JSONB NOT NULL,   -- application -> users
		PRIMARY KEY (site, day)
	);`,
	// v2: the per-bucket and per-application counts move into rows.
	`CREATE TABLE snapshot_counts (
		site TEXT NOT NULL,
		day DATE NOT NULL,
		kind TEXT NOT NULL,       -- 'login' (a last-login bucket) or 'licence'
		key TEXT NOT NULL,        -- the bucket or the application
		users INTEGER NOT NULL,
		PRIMARY KEY (site, day, kind, key),
		FOREIGN KEY (site, day) REFERENCES snapshots(site, day) ON DELETE CASCADE
	);
	INSERT INTO snapshot_counts (site, day, kind, key, users)
		SELECT s.site, s.day, 'login', j.key, j.value::int FROM snapshots s, jsonb_each_text(s.last_login) j;
	INSERT INTO snapshot_counts (site, day, kind, key, users)
		SELECT s.site, s.day, 'licence', j.key, j.value::int FROM snapshots s, jsonb_each_text(s.licensed) j;
	ALTER TABLE snapshots DROP COLUMN last_login;
	ALTER TABLE snapshots DROP COLUMN licensed;`,
	// v3: plans waiting for approval (or applied, rejected…) and the
	// webhook events already handled.
	`CREATE TABLE plans (
		id TEXT PRIMARY KEY,
		plan TEXT NOT NULL,       -- the actions.Plan, JSON, kept byte for byte
		policies JSONB NOT NULL,
		status TEXT NOT NULL,
		issue_key TEXT NOT NULL,
		source TEXT NOT NULL,
		run_id TEXT NOT NULL,
		error TEXT NOT NULL,
		created TIMESTAMPTZ NOT NULL,
		updated TIMESTAMPTZ NOT NULL
	);
	CREATE INDEX plans_status ON plans(status, created);
	CREATE INDEX plans_issue ON plans(upper(issue_key));
	CREATE TABLE events (
		key TEXT PRIMARY KEY,
		received TIMESTAMPTZ NOT NULL
	);`,
	// v4: the on-login trigger's checks and per-user last logins.
	migrationLogins,
	// v5: the blast-radius limits a run overrode, and the reason given
	// (the SQLite store's v5, the same SQL).
	history.MigrationLimitOverride,
}

// migrateLock is the advisory lock replicas take to migrate one at a time.
const migrateLock = `SELECT pg_advisory_xact_lock(hashtextextended('seatwarden/history/migrate', 0))`

// Store is the PostgreSQL history: a history.Store, a history.PlanStore
// and a schedule.LastRuns, safe for concurrent use by goroutines and by
// processes sharing the database.
type Store struct {
	db *sql.DB
}

var (
	_ history.Store      = (*Store)(nil)
	_ history.PlanStore  = (*Store)(nil)
	_ history.LoginStore = (*Store)(nil)
)

// Open connects to the database at url (postgres://user@host:5432/db?…,
// any form pgx accepts; the password may come from PGPASSWORD or
// ~/.pgpass) and migrates it to the newest schema. Errors name the URL
// without its password.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenVersion(ctx, url, len(migrations))
}

// OpenVersion is [Open] migrating only up to version v, for tests of the
// migrations.
func OpenVersion(ctx context.Context, url string, v int) (*Store, error) {
	if v < 0 || v > len(migrations) {
		return nil, fmt.Errorf("history: no schema version %d", v)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, scrub(url, err)
	}
	s := &Store{db: db}
	if err := s.migrate(ctx, v); err != nil {
		db.Close()
		return nil, scrub(url, err)
	}
	return s, nil
}

// scrub names the database by its URL without the password, and takes the
// password out of the error's text.
func scrub(raw string, err error) error {
	name, msg := "PostgreSQL", err.Error()
	if u, perr := url.Parse(raw); perr == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "[REDACTED]")
		}
		u.RawQuery = ""
		name = u.Redacted()
	}
	return &scrubbed{msg: "history: " + name + ": " + msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// DB returns the database handle, e.g. for schedule/pglock's Locker. The
// Store closes it.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database handle.
func (s *Store) Close() error { return s.db.Close() }

// Version returns the schema version of the database.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM seatwarden_schema`).Scan(&v)
	return v, err
}

func (s *Store) migrate(ctx context.Context, target int) error {
	for {
		done, err := s.migrateOne(ctx, target)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, if the database is below target,
// in a transaction that holds the migration lock, and reports whether the
// database is at target (or newer, which is refused when it is newer than
// this program).
func (s *Store) migrateOne(ctx context.Context, target int) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrateLock); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS seatwarden_schema (version INTEGER NOT NULL)`); err != nil {
		return false, err
	}
	var cur int
	switch err := tx.QueryRowContext(ctx, `SELECT version FROM seatwarden_schema`).Scan(&cur); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO seatwarden_schema (version) VALUES (0)`); err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	}
	if cur > len(migrations) {
		return false, fmt.Errorf("%w: version %d, this program knows %d", history.ErrSchemaTooNew, cur, len(migrations))
	}
	if cur >= target {
		return true, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, migrations[cur]); err != nil {
		return false, fmt.Errorf("migrate to v%d: %w", cur+1, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE seatwarden_schema SET version = $1`, cur+1); err != nil {
		return false, err
	}
	return cur+1 >= target, tx.Commit()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SaveRun implements history.Store: a run saved again (a resumed run)
// replaces the first, also when two replicas save it at once.
func (s *Store) SaveRun(ctx context.Context, r *report.Report) error {
	policies, _ := json.Marshal(nonNil(r.Policies))
	counts, _ := json.Marshal(r.Counts)
	flavor := ""
	if r.Flavor != 0 {
		flavor = r.Flavor.String()
	}
	var limit, reason string
	if o := r.LimitOverride; o != nil {
		limit, reason = o.Limit, o.Reason
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs (id, plan_id, site, flavor, policies, dry_run, started,
		finished, steps, counts, approval_issue, limit_override, limit_override_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (id) DO UPDATE SET plan_id = EXCLUDED.plan_id, site = EXCLUDED.site, flavor = EXCLUDED.flavor,
		policies = EXCLUDED.policies, dry_run = EXCLUDED.dry_run, started = EXCLUDED.started,
		finished = EXCLUDED.finished, steps = EXCLUDED.steps, counts = EXCLUDED.counts,
		approval_issue = EXCLUDED.approval_issue, limit_override = EXCLUDED.limit_override,
		limit_override_reason = EXCLUDED.limit_override_reason`,
		r.RunID, r.PlanID, r.Site, flavor, string(policies), r.DryRun, r.Started, r.Finished,
		len(r.Results), string(counts), r.ApprovalIssue, limit, reason); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outcomes WHERE run_id = $1`, r.RunID); err != nil {
		return err
	}
	// One statement for all the results: one round trip, however many.
	n := len(r.Results)
	seq := make([]int32, n)
	stepIDs, userIDs, users, steps := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	outcomes, messages, errs := make([]string, n), make([]string, n), make([]string, n)
	for i, res := range r.Results {
		user, _ := json.Marshal(res.User)
		step, _ := json.Marshal(res.Step)
		msg := res.Error
		if msg == "" && res.Err != nil {
			msg = res.Err.Error()
		}
		seq[i], stepIDs[i], userIDs[i], users[i], steps[i] = int32(i), res.StepID, res.User.ID(), string(user), string(step)
		outcomes[i], messages[i], errs[i] = string(res.Outcome), res.Message, msg
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outcomes (run_id, seq, step_id, user_id, "user", step, outcome,
		message, error) SELECT $1, u.seq, u.step_id, u.user_id, u.usr::jsonb, u.step::jsonb, u.outcome, u.message, u.error
		FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
		AS u(seq, step_id, user_id, usr, step, outcome, message, error)`,
		r.RunID, seq, stepIDs, userIDs, users, steps, outcomes, messages, errs); err != nil {
		return err
	}
	return tx.Commit()
}

const runColumns = `id, plan_id, site, flavor, policies, dry_run, started, finished, steps, counts, approval_issue,
	limit_override, limit_override_reason`

func scanRun(sc scan.Scanner) (report.RunSummary, error) {
	var r report.RunSummary
	var flavor, policies, counts, limit, reason string
	if err := sc.Scan(&r.RunID, &r.PlanID, &r.Site, &flavor, &policies, &r.DryRun, &r.Started, &r.Finished,
		&r.Steps, &counts, &r.ApprovalIssue, &limit, &reason); err != nil {
		return r, err
	}
	r.LimitOverride = history.LimitOverride(limit, reason)
	if flavor != "" {
		r.Flavor, _ = jira.ParseFlavor(flavor)
	}
	r.Started, r.Finished = r.Started.UTC(), r.Finished.UTC()
	if err := json.Unmarshal([]byte(policies), &r.Policies); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(counts), &r.Counts)
}

// Runs implements history.Store.
func (s *Store) Runs(ctx context.Context, site string, from, to time.Time) ([]report.RunSummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs
		WHERE ($1 = '' OR site = $1) AND finished >= $2 AND finished < $3 ORDER BY finished DESC, id DESC`,
		site, from, to)
	if err != nil {
		return nil, err
	}
	return scan.All(rows, scanRun)
}

// Run returns the summary of one run, or an error matching
// history.ErrNoRun.
func (s *Store) Run(ctx context.Context, runID string) (report.RunSummary, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = $1`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: %s", history.ErrNoRun, runID)
	}
	return r, err
}

// Results implements history.Store.
func (s *Store) Results(ctx context.Context, runID string) ([]actions.Result, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT step_id, "user", step, outcome, message, error FROM outcomes
		WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	return scan.All(rows, scan.Result)
}

// day returns the day of t in UTC, as PostgreSQL's date text.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// SaveSnapshot implements history.Store.
func (s *Store) SaveSnapshot(ctx context.Context, sum report.SnapshotSummary) error {
	d := day(sum.Day)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO snapshots (site, day, taken, total, active, inactive,
		never_logged_in, login_unknown) VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (site, day) DO UPDATE SET taken = EXCLUDED.taken, total = EXCLUDED.total,
		active = EXCLUDED.active, inactive = EXCLUDED.inactive, never_logged_in = EXCLUDED.never_logged_in,
		login_unknown = EXCLUDED.login_unknown`, sum.Site, d, sum.Taken, sum.Total,
		sum.Active, sum.Inactive, sum.NeverLoggedIn, sum.LoginUnknown); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM snapshot_counts WHERE site = $1 AND day = $2::date`, sum.Site, d); err != nil {
		return err
	}
	var kinds, keys []string
	var users []int64
	for kind, m := range map[string]map[string]int{"login": sum.LastLogin, "licence": sum.Licensed} {
		for k, n := range m {
			kinds, keys, users = append(kinds, kind), append(keys, k), append(users, int64(n))
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO snapshot_counts (site, day, kind, key, users)
		SELECT $1, $2::date, u.kind, u.key, u.users FROM unnest($3::text[], $4::text[], $5::bigint[]) AS u(kind, key, users)`,
		sum.Site, d, nonNil(kinds), nonNil(keys), nonNil(users)); err != nil {
		return err
	}
	return tx.Commit()
}

// Snapshots implements history.Store.
func (s *Store) Snapshots(ctx context.Context, site string, from, to time.Time) ([]report.SnapshotSummary, error) {
	f, t := day(from), day(to)
	rows, err := s.db.QueryContext(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), taken, total, active, inactive,
		never_logged_in, login_unknown FROM snapshots WHERE site = $1 AND day >= $2::date AND day <= $3::date
		ORDER BY day`, site, f, t)
	if err != nil {
		return nil, err
	}
	var out []report.SnapshotSummary
	index := map[string]int{}
	for rows.Next() {
		sum := report.SnapshotSummary{Site: site, LastLogin: map[string]int{}, Licensed: map[string]int{}}
		var d string
		if err := rows.Scan(&d, &sum.Taken, &sum.Total, &sum.Active, &sum.Inactive, &sum.NeverLoggedIn,
			&sum.LoginUnknown); err != nil {
			rows.Close()
			return nil, err
		}
		sum.Day, _ = time.Parse(time.DateOnly, d)
		sum.Taken = sum.Taken.UTC()
		index[d] = len(out)
		out = append(out, sum)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	crow, err := s.db.QueryContext(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), kind, key, users FROM snapshot_counts
		WHERE site = $1 AND day >= $2::date AND day <= $3::date`, site, f, t)
	if err != nil {
		return nil, err
	}
	if err := scan.Counts(crow, out, index); err != nil {
		return nil, err
	}
	return out, nil
}

// LastRun returns when the most recent run of policy started — a run
// whose plan included the policy, applied or dry, by any replica — and ok
// false when the history has none. It makes Store a schedule.LastRuns.
func (s *Store) LastRun(ctx context.Context, policy string) (start time.Time, ok bool, err error) {
	var last sql.NullTime
	err = s.db.QueryRowContext(ctx, `SELECT max(started) FROM runs WHERE policies @> jsonb_build_array($1::text)`,
		policy).Scan(&last)
	if err != nil || !last.Valid {
		return time.Time{}, false, err
	}
	return last.Time.UTC(), true, nil
}
