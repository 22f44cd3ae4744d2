package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/internal/pgtest"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/historytest"
	"github.com/seatwarden/seatwarden/report/history/postgres"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

var t0 = reporttest.T0

// open opens the store at dsn, closed when t ends.
func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestPostgresConformance runs the checks any implementation of the
// history's interfaces must pass, each on a new schema.
func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	t.Run("Store", func(t *testing.T) {
		t.Parallel()
		historytest.TestStore(t, func(t *testing.T) history.Store { return open(t, pgtest.Schema(t)) })
	})
	t.Run("PlanStore", func(t *testing.T) {
		t.Parallel()
		historytest.TestPlanStore(t, func(t *testing.T) history.PlanStore { return open(t, pgtest.Schema(t)) })
	})
	t.Run("LoginStore", func(t *testing.T) {
		t.Parallel()
		historytest.TestLoginStore(t, func(t *testing.T) history.LoginStore { return open(t, pgtest.Schema(t)) })
	})
}

// TestPostgresReopens checks that a second store on the database (another
// replica, or a restart) reads what the first wrote, and that reopening
// migrates nothing.
func TestPostgresReopens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := pgtest.Schema(t)
	s := open(t, dsn)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, v)

	r, _ := reporttest.Fixture()
	require.NoError(t, history.Sink{Store: s}.Write(ctx, r))
	sum := report.Summarize("https://jira.example.com", reporttest.Users(), t0)
	require.NoError(t, s.SaveSnapshot(ctx, sum))
	require.NoError(t, s.Close())

	s = open(t, dsn)
	v, err = s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	run, err := s.Run(ctx, r.RunID)
	require.NoError(t, err)
	assert.Equal(t, report.RunSummary{RunID: "run-1", PlanID: "plan-1", Policies: []string{"contractors", "inactive-90-days"},
		Site: "https://jira.example.com", Flavor: jira.DataCenter, Started: t0, Finished: t0.Add(90 * time.Second), Steps: 4,
		Counts: map[actions.Outcome]int{actions.Applied: 2, actions.Stale: 1, actions.Failed: 1}, ApprovalIssue: "OPS-7"}, run)
	res, err := s.Results(ctx, r.RunID)
	require.NoError(t, err)
	assert.Len(t, res, len(r.Results))
	got, err := s.Snapshots(ctx, "https://jira.example.com", t0, t0)
	require.NoError(t, err)
	require.Len(t, got, 1)
	sum.Day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, sum, got[0])
	_, err = s.Run(ctx, "nope")
	assert.ErrorIs(t, err, history.ErrNoRun)
}

// TestPostgresMigrationV1ToV3 writes a history in schema v1, where the
// per-day counts were JSON columns, then opens it with the current code:
// the counts become rows, the plans table appears, the v1 run stays.
func TestPostgresMigrationV1ToV3(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := pgtest.Schema(t)
	s, err := postgres.OpenVersion(ctx, dsn, 1)
	require.NoError(t, err)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	_, err = s.DB().ExecContext(ctx, `INSERT INTO snapshots (site, day, taken, total, active, inactive, never_logged_in,
		login_unknown, last_login, licensed) VALUES ('s', '2025-01-06', '2025-01-06T03:00:00Z', 120, 100, 20, 7, 3,
		'{"d0_30": 50, "d31_90": 20, "d91_180": 10, "d181_365": 5, "d366_730": 3, "d731": 2}',
		'{"jira-software": 90, "jira-servicedesk": 12}')`)
	require.NoError(t, err)
	r, _ := reporttest.Fixture()
	saveOldRun(t, s, r)
	_, err = s.DB().ExecContext(ctx, `SELECT 1 FROM plans`)
	require.Error(t, err, "no plans table in v1")
	require.NoError(t, s.Close())

	s = open(t, dsn)
	v, err = s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	got, err := s.Snapshots(ctx, "s", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, report.SnapshotSummary{Site: "s", Day: time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC),
		Taken: time.Date(2025, 1, 6, 3, 0, 0, 0, time.UTC), Total: 120, Active: 100, Inactive: 20, NeverLoggedIn: 7, LoginUnknown: 3,
		LastLogin: map[string]int{"d0_30": 50, "d31_90": 20, "d91_180": 10, "d181_365": 5, "d366_730": 3, "d731": 2},
		Licensed:  map[string]int{"jira-software": 90, "jira-servicedesk": 12}}, got[0])
	require.NoError(t, s.SaveSnapshot(ctx, got[0]), "the migrated schema takes new snapshots")
	run, err := s.Run(ctx, r.RunID)
	require.NoError(t, err, "the v1 run is kept")
	assert.Equal(t, r.PlanID, run.PlanID)
	require.NoError(t, s.SavePlan(ctx, history.PlanRecord{ID: "p", Plan: json.RawMessage(`{}`), Status: history.PlanPending,
		IssueKey: "OPS-1", Created: t0, Updated: t0}))
}

// TestPostgresMigrationV4ToV5 opens a v4 history, with a run in it, with
// the current code: the v4 run is kept without a limit override, and a
// run applied over its limits reads back with its limits and reason.
func TestPostgresMigrationV4ToV5(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := pgtest.Schema(t)
	s, err := postgres.OpenVersion(ctx, dsn, 4)
	require.NoError(t, err)
	r, _ := reporttest.Fixture()
	saveOldRun(t, s, r)
	_, err = s.DB().ExecContext(ctx, `SELECT limit_override FROM runs`)
	require.Error(t, err, "no limit override in v4")
	require.NoError(t, s.Close())

	s = open(t, dsn)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	old, err := s.Run(ctx, r.RunID)
	require.NoError(t, err, "the v4 run is kept")
	assert.Equal(t, r.PlanID, old.PlanID)
	assert.Nil(t, old.LimitOverride)
	over, _ := reporttest.Fixture()
	over.RunID = "run-over"
	over.LimitOverride = &actions.LimitOverride{Reason: "site cleanup, CHG-1", Limit: "inactive-90-days: 3 users, over its limit of 2"}
	require.NoError(t, s.SaveRun(ctx, over))
	got, err := s.Run(ctx, "run-over")
	require.NoError(t, err)
	assert.Equal(t, over.LimitOverride, got.LimitOverride)
}

// TestPostgresReplicasMigrateOnce opens the same empty database from
// several stores at once, as replicas starting together do: each
// migration runs once, and every store ends at the newest version.
func TestPostgresReplicasMigrateOnce(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "replica %d", i)
	}
	s := open(t, dsn)
	v, err := s.Version(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 5, v)
}

func TestPostgresRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := pgtest.Schema(t)
	s := open(t, dsn)
	_, err := s.DB().ExecContext(ctx, `UPDATE seatwarden_schema SET version = 99`)
	require.NoError(t, err)
	_, err = postgres.Open(ctx, dsn)
	assert.ErrorIs(t, err, history.ErrSchemaTooNew)
}

// TestPostgresErrorsKeepThePassword opens the database with a wrong
// password: the error names the database, never the password.
func TestPostgresErrorsKeepThePassword(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(pgtest.DSN(t))
	require.NoError(t, err)
	u.User = url.UserPassword(u.User.Username(), "hunter2-wrong")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err = postgres.Open(ctx, u.String())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2-wrong")
	assert.Contains(t, err.Error(), "history: postgres://"+u.User.Username()+":xxxxx@"+u.Host)
}

func TestPostgresLastRun(t *testing.T) {
	t.Parallel()
	historytest.TestLastRun(t, func(t *testing.T) historytest.LastRunStore { return open(t, pgtest.Schema(t)) })
}

// TestPostgresClaimOnceAcrossReplicas has several stores — each its own
// connection pool, as replicas have — claim the same approved plans at
// once: each plan is claimed by exactly one of them, and each webhook
// delivery is first for exactly one.
func TestPostgresClaimOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := pgtest.Schema(t)
	const replicas, plans = 6, 25
	stores := make([]*postgres.Store, replicas)
	for i := range stores {
		stores[i] = open(t, dsn)
	}
	for p := range plans {
		require.NoError(t, stores[0].SavePlan(ctx, history.PlanRecord{ID: fmt.Sprint("plan-", p), Plan: json.RawMessage(`{}`),
			Status: history.PlanPending, IssueKey: fmt.Sprint("OPS-", p), Created: t0, Updated: t0}))
	}
	wins := make([][]int, plans) // the replicas that claimed each plan
	firsts := make([]int, plans) // how many replicas saw each event first
	var mu sync.Mutex
	var wg sync.WaitGroup
	for r, s := range stores {
		wg.Go(func() {
			for p := range plans {
				ok, err := s.UpdatePlan(ctx, fmt.Sprint("plan-", p), []history.PlanStatus{history.PlanPending},
					history.PlanApplying, "", "", t0.Add(time.Minute))
				assert.NoError(t, err)
				first, err := s.FirstEvent(ctx, fmt.Sprint("issue:", p, ":approved"), t0)
				assert.NoError(t, err)
				mu.Lock()
				if ok {
					wins[p] = append(wins[p], r)
				}
				if first {
					firsts[p]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for p := range plans {
		assert.Len(t, wins[p], 1, "plan-%d claimed by replicas %v", p, wins[p])
		assert.Equal(t, 1, firsts[p], "event %d first for %d replicas", p, firsts[p])
	}
	applying, err := stores[0].Plans(ctx, history.PlanApplying)
	require.NoError(t, err)
	assert.Len(t, applying, plans)
}

// saveOldRun records r's runs row as schemas v1 to v4 have it (without
// its results), for tests that upgrade an old history: SaveRun writes
// the newest schema's columns.
func saveOldRun(t *testing.T, s *postgres.Store, r *report.Report) {
	t.Helper()
	policies, _ := json.Marshal(r.Policies)
	counts, _ := json.Marshal(r.Counts)
	_, err := s.DB().ExecContext(t.Context(), `INSERT INTO runs (id, plan_id, site, flavor, policies, dry_run, started,
		finished, steps, counts, approval_issue) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, r.RunID, r.PlanID,
		r.Site, r.Flavor.String(), string(policies), r.DryRun, r.Started, r.Finished, len(r.Results), string(counts),
		r.ApprovalIssue)
	require.NoError(t, err)
}
