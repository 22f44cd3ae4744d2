package cloud_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestSnapshotLastActiveFromSearchOnly: a Cloud snapshot reads last active
// only from POST users/search with the productAccess expand, and a user the
// search sends without productAccess is unknown — so neverLoggedIn, and the
// README's example policy, select none of them, while they still select
// the users the search says never were active.
func TestSnapshotLastActiveFromSearchOnly(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 300)
	hidden := map[string]bool{}
	for i, u := range s.Users() {
		if i%2 == 0 && u.AccountID != "" {
			require.True(t, s.HideProductAccess(u.AccountID))
			hidden[u.AccountID] = true
		}
	}
	s.ResetStats()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	never := criteria.MustCompile("neverLoggedIn", criteria.WithNow(func() time.Time { return now }))
	policy := criteria.MustCompile("active && (neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90)",
		criteria.WithNow(func() time.Time { return now }))
	var neverSelected, policySelected, unknown int
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{LastLogin: true}) {
		require.NoError(t, err)
		m, err := never.Match(t.Context(), &u)
		require.NoError(t, err)
		p, err := policy.Match(t.Context(), &u)
		require.NoError(t, err)
		if hidden[u.AccountID] {
			unknown++
			assert.False(t, u.LastLogin.Known, "%s: no productAccess must be unknown, got %s", u.AccountID, u.LastLogin)
			assert.False(t, m, "neverLoggedIn selected %s, whose last active is unknown", u.AccountID)
			assert.False(t, p, "the policy selected %s, whose last active is unknown", u.AccountID)
			continue
		}
		require.True(t, u.LastLogin.Known, u.AccountID)
		if m {
			neverSelected++
		}
		if p {
			policySelected++
		}
	}
	assert.Equal(t, len(hidden), unknown)
	assert.Greater(t, unknown, 100)
	assert.Positive(t, neverSelected, "users the search lists without activity are never active")
	assert.Positive(t, policySelected)
	assert.Positive(t, s.Count("POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search"))
	assert.Zero(t, s.Count("GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users"), "the GET list has no productAccess")
	assert.Zero(t, s.Count("GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}"))
	// 300 users + the admin, 100 a request: 4 pages.
	assert.Equal(t, 4, s.Count("POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search"))
}

// TestUserLastActive: reading one user searches for it by accountId with
// productAccess; when the search leaves productAccess out, the v1
// last-active dates are the fallback.
func TestUserLastActive(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 10)
	ctx := t.Context()
	active := ref(t, s, "user0002") // logged in
	neverRef := ref(t, s, "user0001")
	want, _ := s.User(active.Value())

	s.ResetStats()
	u, err := c.User(ctx, active)
	require.NoError(t, err)
	assert.True(t, u.LastLogin.Time.Equal(want.LastLogin.Time), "%s vs %s", u.LastLogin, want.LastLogin)
	assert.Contains(t, u.LastActive, "jira-software")
	assert.Equal(t, 1, s.Count("POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search"))
	assert.Zero(t, s.Count("GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates"))

	u, err = c.User(ctx, neverRef)
	require.NoError(t, err)
	assert.True(t, u.LastLogin.Never(), "listed without activity: never, got %s", u.LastLogin)

	// No productAccess in the search: the v1 dates say when (day only).
	require.True(t, s.HideProductAccess(active.Value()))
	s.ResetStats()
	u, err = c.User(ctx, active)
	require.NoError(t, err)
	require.True(t, u.LastLogin.Known)
	assert.Equal(t, want.LastLogin.Time.UTC().Format(time.DateOnly), u.LastLogin.Time.Format(time.DateOnly))
	assert.Equal(t, 1, s.Count("GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates"))

	// Without the Admin API: unknown, never "never".
	plain, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token), cloud.WithTransport(s.Transport()))
	require.NoError(t, err)
	u, err = plain.User(ctx, neverRef)
	require.NoError(t, err)
	assert.False(t, u.LastLogin.Known)
}
