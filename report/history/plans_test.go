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

func TestSQLitePlans(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLite(ctx, path)
	require.NoError(t, err)
	p := history.PlanRecord{ID: "plan-1", Plan: json.RawMessage(`{"id":"plan-1"}`), Policies: []string{"inactive"},
		Status: history.PlanPending, IssueKey: "OPS-7", Source: "api", Created: t0, Updated: t0}
	require.NoError(t, s.SavePlan(ctx, p))
	require.NoError(t, s.SavePlan(ctx, history.PlanRecord{ID: "plan-2", Plan: json.RawMessage(`{}`), Status: history.PlanPlanned,
		Created: t0.Add(time.Second), Updated: t0.Add(time.Second)}))
	require.NoError(t, s.Close())

	s, err = history.OpenSQLite(ctx, path) // plans survive a restart
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Plan(ctx, "plan-1")
	require.NoError(t, err)
	assert.Equal(t, p, got)
	got, err = s.PlanByIssue(ctx, "ops-7")
	require.NoError(t, err)
	assert.Equal(t, "plan-1", got.ID)
	_, err = s.Plan(ctx, "nope")
	assert.ErrorIs(t, err, history.ErrNoPlan)
	_, err = s.PlanByIssue(ctx, "")
	assert.ErrorIs(t, err, history.ErrNoPlan)

	pending, err := s.Plans(ctx, history.PlanPending, history.PlanApplying)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	all, err := s.Plans(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 2)

	// Only one of two claims wins.
	ok, err := s.UpdatePlan(ctx, "plan-1", []history.PlanStatus{history.PlanPending}, history.PlanApplying, "", "", t0.Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.UpdatePlan(ctx, "plan-1", []history.PlanStatus{history.PlanPending}, history.PlanApplying, "", "", t0.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = s.UpdatePlan(ctx, "plan-1", []history.PlanStatus{history.PlanApplying}, history.PlanApplied, "run-1", "", t0.Add(2*time.Minute))
	require.NoError(t, err)
	assert.True(t, ok)
	got, err = s.Plan(ctx, "plan-1")
	require.NoError(t, err)
	assert.Equal(t, history.PlanApplied, got.Status)
	assert.Equal(t, "run-1", got.RunID)
	assert.Equal(t, t0.Add(2*time.Minute), got.Updated)

	first, err := s.FirstEvent(ctx, "issue:10000:10500", t0)
	require.NoError(t, err)
	assert.True(t, first)
	first, err = s.FirstEvent(ctx, "issue:10000:10500", t0)
	require.NoError(t, err)
	assert.False(t, first, "a replay")

	r, _ := fixture()
	require.NoError(t, s.SaveRun(ctx, r))
	run, err := s.Run(ctx, r.RunID)
	require.NoError(t, err)
	assert.Equal(t, "plan-1", run.PlanID)
	assert.Equal(t, "OPS-7", run.ApprovalIssue)
	_, err = s.Run(ctx, "nope")
	assert.ErrorIs(t, err, history.ErrNoRun)
}

// TestSQLiteMigrationV2ToV3 opens a v2 history, with a run in it, with
// the current code: the plans table is added and nothing else changes.
func TestSQLiteMigrationV2ToV3(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.OpenSQLiteVersion(ctx, path, 2)
	require.NoError(t, err)
	r, _ := fixture()
	require.NoError(t, s.SaveRun(ctx, r))
	require.Error(t, s.Exec(ctx, `SELECT 1 FROM plans`), "no plans table in v2")
	require.NoError(t, s.Close())

	s, err = history.OpenSQLite(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, v)
	run, err := s.Run(ctx, r.RunID)
	require.NoError(t, err, "the v2 run is kept")
	assert.Equal(t, r.PlanID, run.PlanID)
	require.NoError(t, s.SavePlan(ctx, history.PlanRecord{ID: "p", Plan: json.RawMessage(`{}`), Status: history.PlanPending,
		IssueKey: "OPS-1", Created: t0, Updated: t0}))
	got, err := s.PlanByIssue(ctx, "OPS-1")
	require.NoError(t, err)
	assert.Equal(t, "p", got.ID)
}
