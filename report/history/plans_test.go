package history_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report/history"
)

// TestSQLiteMigrationV2ToV3 opens a v2 history, with a run in it, with
// the current code: the plans table is added and nothing else changes.
func TestSQLiteMigrationV2ToV3(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLiteVersion(ctx, path, 2)
	require.NoError(t, err)
	r, _ := fixture()
	saveOldRun(t, s, r)
	require.Error(t, s.Exec(ctx, `SELECT 1 FROM plans`), "no plans table in v2")
	require.NoError(t, s.Close())

	s, err = history.OpenSQLite(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	run, err := s.Run(ctx, r.RunID)
	require.NoError(t, err, "the v2 run is kept")
	assert.Equal(t, r.PlanID, run.PlanID)
	require.NoError(t, s.SavePlan(ctx, history.PlanRecord{ID: "p", Plan: json.RawMessage(`{}`), Status: history.PlanPending,
		IssueKey: "OPS-1", Created: t0, Updated: t0}))
	got, err := s.PlanByIssue(ctx, "OPS-1")
	require.NoError(t, err)
	assert.Equal(t, "p", got.ID)
}
