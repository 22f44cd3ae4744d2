package historydb_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/historydb"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
	"github.com/seatwarden/seatwarden/schedule"
	"github.com/seatwarden/seatwarden/schedule/pglock"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ url, kind, target, err string }{
		{url: "history.db", kind: "sqlite", target: "history.db"},
		{url: "/var/lib/seatwarden/history.db", kind: "sqlite", target: "/var/lib/seatwarden/history.db"},
		{url: "sqlite:///var/lib/seatwarden/history.db", kind: "sqlite", target: "/var/lib/seatwarden/history.db"},
		{url: "sqlite:history.db", kind: "sqlite", target: "history.db"},
		{url: "postgres://sw@db:5432/sw?sslmode=verify-full", kind: "postgres", target: "postgres://sw@db:5432/sw?sslmode=verify-full"},
		{url: "postgresql://sw@db/sw", kind: "postgres", target: "postgresql://sw@db/sw"},
		{url: "", err: "history: no URL"},
		{url: "sqlite://", err: "sqlite URL without a path"},
		{url: "mysql://root:s3cret@db/sw", err: `history: unknown URL scheme "mysql"`},
	} {
		kind, target, err := historydb.Parse(tc.url)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.url)
			if err != nil {
				assert.NotContains(t, err.Error(), "s3cret")
			}
			continue
		}
		require.NoError(t, err, tc.url)
		assert.Equal(t, []string{tc.kind, tc.target}, []string{kind, target}, tc.url)
	}
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "history.db")
	h, err := historydb.Open(t.Context(), "sqlite://"+path)
	require.NoError(t, err)
	defer h.Close()
	assert.IsType(t, &history.SQLite{}, h.Store)
	assert.IsType(t, &schedule.MemoryLocker{}, h.Locker)
	assert.False(t, h.Shared)
	r, _ := reporttest.Fixture()
	require.NoError(t, h.SaveRun(t.Context(), r))
	_, ok, err := h.LastRun(t.Context(), "contractors")
	require.NoError(t, err)
	assert.True(t, ok, "the run is in the file")
}

// TestOpenPostgres opens one database as two replicas would: they share
// the runs, and the lock of a job.
func TestOpenPostgres(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b := openReplicas(t)
	assert.Implements(t, (*interface{ DB() *sql.DB })(nil), a.Store, "the PostgreSQL store, with its handle")
	assert.IsType(t, &pglock.Locker{}, a.Locker)
	assert.True(t, a.Shared)
	assert.NotContains(t, a.Name, "seatwarden:seatwarden@", "no password in the name")

	r, _ := reporttest.Fixture()
	require.NoError(t, a.SaveRun(ctx, r))
	_, ok, err := b.LastRun(ctx, "contractors")
	require.NoError(t, err)
	assert.True(t, ok, "b sees a's run")

	name := "historydb-test/" + filepath.Base(t.TempDir())
	release, ok, err := a.Locker.TryLock(ctx, name)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = b.Locker.TryLock(ctx, name)
	require.NoError(t, err)
	assert.False(t, ok, "b waits for a")
	release()
}
