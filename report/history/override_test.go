package history_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report/history"
)

// TestSQLiteMigrationV4ToV5 opens a v4 history, with a run in it, with
// the current code: the v4 run is kept without a limit override, and a
// run applied over its limits then reads back with its limits and reason.
func TestSQLiteMigrationV4ToV5(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLiteVersion(ctx, path, 4)
	require.NoError(t, err)
	r, _ := fixture()
	saveOldRun(t, s, r)
	require.Error(t, s.Exec(ctx, `SELECT limit_override FROM runs`), "no limit override in v4")
	require.NoError(t, s.Close())

	s = reopen(t, path)
	old, err := s.Run(ctx, r.RunID)
	require.NoError(t, err, "the v4 run is kept")
	assert.Equal(t, r.PlanID, old.PlanID)
	assert.Nil(t, old.LimitOverride)

	over, _ := fixture()
	over.RunID = "run-over"
	over.LimitOverride = &actions.LimitOverride{Reason: "site cleanup, CHG-1", Limit: "inactive-90-days: 3 users, over its limit of 2"}
	require.NoError(t, s.SaveRun(ctx, over))
	require.NoError(t, s.Close())
	s = reopen(t, path)
	got, err := s.Run(ctx, "run-over")
	require.NoError(t, err)
	assert.Equal(t, over.LimitOverride, got.LimitOverride)
	runs, err := s.Runs(ctx, "", t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0))
	require.NoError(t, err)
	require.Len(t, runs, 2)
	for _, run := range runs {
		assert.Equal(t, run.RunID == "run-over", run.LimitOverride != nil, run.RunID)
	}
}
