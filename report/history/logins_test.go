package history_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report/history"
)

// TestSQLiteMigrationV3ToV4 opens a v3 history, with a run and a plan in
// it, with the current code: the login tables are added, the run and the
// plan are kept, and a check recorded then reads back after a reopen.
func TestSQLiteMigrationV3ToV4(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLiteVersion(ctx, path, 3)
	require.NoError(t, err)
	r, _ := fixture()
	saveOldRun(t, s, r)
	require.NoError(t, s.SavePlan(ctx, history.PlanRecord{ID: "p", Plan: json.RawMessage(`{}`), Status: history.PlanPending,
		IssueKey: "OPS-1", Created: t0, Updated: t0}))
	require.Error(t, s.Exec(ctx, `SELECT 1 FROM login_checks`), "no login tables in v3")
	require.NoError(t, s.Close())

	s = reopen(t, path)
	_, err = s.Run(ctx, r.RunID)
	require.NoError(t, err, "the v3 run is kept")
	_, err = s.Plan(ctx, "p")
	require.NoError(t, err, "the v3 plan is kept")
	checked := t0.Add(time.Minute)
	require.NoError(t, s.SaveLogins(ctx, "p1", "https://jira.example.com", time.Time{}, history.LoginUpdate{
		Checked: checked, Last: map[string]time.Time{"alice": t0}, Pending: []string{"alice"}}))
	require.NoError(t, s.Close())

	s = reopen(t, path)
	st, err := s.Logins(ctx, "p1", "https://jira.example.com")
	require.NoError(t, err)
	assert.Equal(t, history.LoginState{Checked: checked, Last: map[string]time.Time{"alice": t0}, Pending: []string{"alice"}}, st)
}
