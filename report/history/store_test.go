package history_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/historytest"
)

// openSQLite returns a new, empty SQLite history closed when t ends.
func openSQLite(t *testing.T) *history.SQLite {
	t.Helper()
	s, err := history.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "history.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// reopen opens the history at path again, checks that it is at the newest
// schema version, and closes it when t ends.
func reopen(t *testing.T, path string) *history.SQLite {
	t.Helper()
	s, err := history.OpenSQLite(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	v, err := s.Version(t.Context())
	require.NoError(t, err)
	assert.Equal(t, history.Migrations, v)
	return s
}

// TestSQLiteConformance runs the checks any implementation of the
// history's interfaces must pass on the SQLite store.
func TestSQLiteConformance(t *testing.T) {
	t.Parallel()
	t.Run("Store", func(t *testing.T) {
		t.Parallel()
		historytest.TestStore(t, func(t *testing.T) history.Store { return openSQLite(t) })
	})
	t.Run("PlanStore", func(t *testing.T) {
		t.Parallel()
		historytest.TestPlanStore(t, func(t *testing.T) history.PlanStore { return openSQLite(t) })
	})
	t.Run("LoginStore", func(t *testing.T) {
		t.Parallel()
		historytest.TestLoginStore(t, func(t *testing.T) history.LoginStore { return openSQLite(t) })
	})
}

// TestSQLiteReopens checks that the file keeps runs, snapshots and plans
// across a restart, and that reopening it migrates nothing.
func TestSQLiteReopens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLite(ctx, path)
	require.NoError(t, err)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, history.Migrations, v)

	r, _ := fixture()
	require.NoError(t, history.Sink{Store: s}.Write(ctx, r))
	sum := report.Summarize("https://jira.example.com", users(), t0)
	require.NoError(t, s.SaveSnapshot(ctx, sum))
	p := history.PlanRecord{ID: "plan-1", Plan: json.RawMessage(`{"id":"plan-1"}`), Policies: []string{"inactive"},
		Status: history.PlanPending, IssueKey: "OPS-7", Source: "api", Created: t0, Updated: t0}
	require.NoError(t, s.SavePlan(ctx, p))
	require.NoError(t, s.Close())

	s = reopen(t, path)
	runs, err := s.Runs(ctx, "https://jira.example.com", t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Equal(t, report.RunSummary{RunID: "run-1", PlanID: "plan-1", Policies: []string{"contractors", "inactive-90-days"},
		Site: "https://jira.example.com", Flavor: jira.DataCenter, Started: t0, Finished: t0.Add(90 * time.Second), Steps: 4,
		Counts: map[actions.Outcome]int{actions.Applied: 2, actions.Stale: 1, actions.Failed: 1}, ApprovalIssue: "OPS-7"}, runs[0])
	res, err := s.Results(ctx, "run-1")
	require.NoError(t, err)
	assert.Len(t, res, len(r.Results))
	got, err := s.Snapshots(ctx, "https://jira.example.com", t0, t0)
	require.NoError(t, err)
	require.Len(t, got, 1)
	sum.Day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, sum, got[0])
	plan, err := s.Plan(ctx, "plan-1")
	require.NoError(t, err)
	assert.Equal(t, p, plan)
	run, err := s.Run(ctx, r.RunID)
	require.NoError(t, err)
	assert.Equal(t, "OPS-7", run.ApprovalIssue)
	_, err = s.Run(ctx, "nope")
	assert.ErrorIs(t, err, history.ErrNoRun)
}

// TestSQLiteMigrationV1ToV2 writes a history in schema v1, where the
// per-day counts were JSON columns, and opens it with the current code.
func TestSQLiteMigrationV1ToV2(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLiteVersion(ctx, path, 1)
	require.NoError(t, err)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	require.NoError(t, s.Exec(ctx, `INSERT INTO snapshots (site, day, taken, total, active, inactive, never_logged_in,
		login_unknown, last_login, licensed) VALUES ('s', '2025-01-06', '2025-01-06T03:00:00Z', 120, 100, 20, 7, 3,
		'{"d0_30": 50, "d31_90": 20, "d91_180": 10, "d181_365": 5, "d366_730": 3, "d731": 2}',
		'{"jira-software": 90, "jira-servicedesk": 12}')`))
	require.NoError(t, s.Close())

	s = reopen(t, path)
	got, err := s.Snapshots(ctx, "s", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, report.SnapshotSummary{Site: "s", Day: time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC),
		Taken: time.Date(2025, 1, 6, 3, 0, 0, 0, time.UTC), Total: 120, Active: 100, Inactive: 20, NeverLoggedIn: 7, LoginUnknown: 3,
		LastLogin: map[string]int{"d0_30": 50, "d31_90": 20, "d91_180": 10, "d181_365": 5, "d366_730": 3, "d731": 2},
		Licensed:  map[string]int{"jira-software": 90, "jira-servicedesk": 12}}, got[0])
	assert.Equal(t, 70, got[0].Recent(90))
	require.NoError(t, s.SaveSnapshot(ctx, got[0]), "the migrated schema takes new snapshots")
}

func TestSQLiteRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLite(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Exec(ctx, "PRAGMA user_version = 99"))
	require.NoError(t, s.Close())
	_, err = history.OpenSQLite(ctx, path)
	assert.ErrorIs(t, err, history.ErrSchemaTooNew)
}
