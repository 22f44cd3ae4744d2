package historydb_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/pgtest"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/historydb"
	"github.com/seatwarden/seatwarden/report/history/historytest"
)

// TestPostgresLockedPlansConformance: the store with its plan locks is
// still a PlanStore.
func TestPostgresLockedPlansConformance(t *testing.T) {
	t.Parallel()
	historytest.TestPlanStore(t, func(t *testing.T) history.PlanStore {
		h, err := historydb.Open(t.Context(), pgtest.Schema(t))
		require.NoError(t, err)
		t.Cleanup(func() { h.Close() })
		return h
	})
}

// TestPostgresResetSparesLivePlans: two replicas on one database. A plan
// replica a applies is not reset by replica b (as a restarting server's
// Recover would); once a's session is gone, b resets it.
func TestPostgresResetSparesLivePlans(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b := openReplicas(t)

	now := time.Now()
	// Advisory locks are database-wide: ids unique to this test.
	id := func(n int) string { return fmt.Sprintf("%s-plan-%d", t.Name(), n) + fmt.Sprint(now.UnixNano()) }
	save := func(id string) {
		require.NoError(t, a.SavePlan(ctx, history.PlanRecord{ID: id, Plan: json.RawMessage(`{}`), Policies: []string{"p"},
			Status: history.PlanPlanned, Created: now, Updated: now}))
	}
	status := func(id string) history.PlanStatus {
		rec, err := b.Plan(ctx, id)
		require.NoError(t, err)
		return rec.Status
	}
	applying := []history.PlanStatus{history.PlanApplying}

	// a applies p1: b can neither claim nor reset it; a ends it.
	p1 := id(1)
	save(p1)
	ok, err := a.UpdatePlan(ctx, p1, []history.PlanStatus{history.PlanPlanned}, history.PlanApplying, "", "", now)
	require.NoError(t, err)
	require.True(t, ok, "a claims p1")
	ok, err = b.UpdatePlan(ctx, p1, applying, history.PlanPlanned, "", "interrupted", now)
	require.NoError(t, err)
	assert.False(t, ok, "b must not reset the plan a applies")
	assert.Equal(t, history.PlanApplying, status(p1))
	ok, err = a.UpdatePlan(ctx, p1, applying, history.PlanApplied, "run-1", "", now)
	require.NoError(t, err)
	assert.True(t, ok, "a ends its apply")
	assert.Equal(t, history.PlanApplied, status(p1))
	ok, err = b.UpdatePlan(ctx, p1, applying, history.PlanPlanned, "", "interrupted", now)
	require.NoError(t, err)
	assert.False(t, ok, "an applied plan is not reset")

	// a claims p2 and its session dies (as when the process is killed):
	// b resets p2 once the server has ended the session.
	p2 := id(2)
	save(p2)
	ok, err = a.UpdatePlan(ctx, p2, []history.PlanStatus{history.PlanPlanned}, history.PlanApplying, "", "", now)
	require.NoError(t, err)
	require.True(t, ok, "a claims p2")
	ok, err = b.UpdatePlan(ctx, p2, applying, history.PlanPlanned, "", "interrupted", now)
	require.NoError(t, err)
	require.False(t, ok, "a is alive")
	terminateHolder(t, b.Store.(interface{ DB() *sql.DB }).DB(), historydb.PlanLockPrefix+p2)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err = b.UpdatePlan(ctx, p2, applying, history.PlanPlanned, "", "interrupted", now)
		require.NoError(t, err)
		if ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	assert.True(t, ok, "b resets the plan of a dead session")
	assert.Equal(t, history.PlanPlanned, status(p2))
}

// terminateHolder ends the session that holds the advisory lock name.
func terminateHolder(t *testing.T, db *sql.DB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `WITH k AS (SELECT hashtextextended($1, 0) AS key)
		SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l, k
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.classid::bigint = (k.key >> 32) & 4294967295 AND l.objid::bigint = k.key & 4294967295`, name).Scan(&n))
	require.Equal(t, 1, n, "one session holds the lock")
}

// openReplicas opens a new schema of the test database twice, as two
// replicas would.
func openReplicas(t *testing.T) (a, b *historydb.History) {
	t.Helper()
	dsn := pgtest.Schema(t)
	var err error
	a, err = historydb.Open(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	b, err = historydb.Open(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return a, b
}
