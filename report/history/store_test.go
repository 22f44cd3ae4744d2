package history_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
)

func TestSQLiteRunsAndSnapshots(t *testing.T) {
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
	require.NoError(t, s.SaveRun(ctx, r), "saving again replaces")
	r2, _ := fixture()
	r2.RunID, r2.DryRun, r2.Started, r2.Finished = "run-2", true, t0.AddDate(0, 0, 7), t0.AddDate(0, 0, 7).Add(time.Minute)
	require.NoError(t, s.SaveRun(ctx, r2))

	runs, err := s.Runs(ctx, "https://jira.example.com", t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
	require.NoError(t, err)
	require.Len(t, runs, 2)
	assert.Equal(t, "run-2", runs[0].RunID, "newest first")
	assert.Equal(t, report.RunSummary{RunID: "run-1", PlanID: "plan-1", Policies: []string{"contractors", "inactive-90-days"},
		Site: "https://jira.example.com", Flavor: jira.DataCenter, Started: t0, Finished: t0.Add(90 * time.Second), Steps: 4,
		Counts: map[actions.Outcome]int{actions.Applied: 2, actions.Stale: 1, actions.Failed: 1}, ApprovalIssue: "OPS-7"}, runs[1])

	res, err := s.Results(ctx, "run-1")
	require.NoError(t, err)
	want := r.Results
	for i := range want {
		want[i].Err = nil
	}
	assert.Equal(t, want, res)

	sum := report.Summarize("https://jira.example.com", users(), t0)
	assert.Equal(t, 5, sum.Total, "the app account is not a person")
	assert.Equal(t, 4, sum.Active)
	assert.Equal(t, 1, sum.Inactive)
	assert.Equal(t, 1, sum.NeverLoggedIn)
	assert.Equal(t, map[string]int{"d0_30": 1, "d31_90": 1, "d91_180": 0, "d181_365": 1, "d366_730": 0, "d731": 0}, sum.LastLogin)
	assert.Equal(t, map[string]int{"jira-software": 4, "jira-servicedesk": 1}, sum.Licensed)
	require.NoError(t, s.SaveSnapshot(ctx, sum))
	later := sum
	later.Day, later.Taken, later.Active = t0.AddDate(0, 0, 7), t0.AddDate(0, 0, 7), 3
	require.NoError(t, s.SaveSnapshot(ctx, later))
	require.NoError(t, s.Close())

	s, err = history.OpenSQLite(ctx, path) // reopening migrates nothing and keeps everything
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Snapshots(ctx, "https://jira.example.com", t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 7))
	require.NoError(t, err)
	require.Len(t, got, 2, "both days: to is the last day included")
	sum.Day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, sum, got[0])
	assert.Equal(t, 3, got[1].Active)
	none, err := s.Snapshots(ctx, "https://other.example.com", t0.AddDate(-1, 0, 0), t0)
	require.NoError(t, err)
	assert.Empty(t, none)
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

	s, err = history.OpenSQLite(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	v, err = s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, history.Migrations, v)
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
