package history_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report/history"
)

func TestSQLiteLastRun(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, err := history.OpenSQLite(ctx, filepath.Join(t.TempDir(), "history.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	_, ok, err := s.LastRun(ctx, "inactive-90-days")
	require.NoError(t, err)
	assert.False(t, ok, "an empty history has no run")

	save := func(id string, started time.Time, dry bool, policies ...string) {
		r, _ := fixture()
		r.RunID, r.Policies, r.DryRun, r.Started, r.Finished = id, policies, dry, started, started.Add(time.Minute)
		require.NoError(t, s.SaveRun(ctx, r))
	}
	// Fractions of a second of different lengths: the latest is not the
	// greatest string.
	save("a", t0.Add(500*time.Millisecond), false, "contractors", "inactive-90-days")
	save("b", t0, false, "inactive-90-days")
	save("c", t0.Add(time.Hour), true, "contractors")

	for _, tc := range []struct {
		policy string
		want   time.Time
		ok     bool
	}{
		{"inactive-90-days", t0.Add(500 * time.Millisecond), true},
		{"contractors", t0.Add(time.Hour), true}, // a dry run counts
		{"inactive", time.Time{}, false},         // names match whole
	} {
		got, ok, err := s.LastRun(ctx, tc.policy)
		require.NoError(t, err)
		assert.Equal(t, tc.ok, ok, tc.policy)
		assert.True(t, tc.want.Equal(got), "%s: got %v, want %v", tc.policy, got, tc.want)
	}
}
