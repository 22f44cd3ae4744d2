package cloud_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// TestReadUsersMatchesUser reads 450 users in bulk and checks each one
// against Client.User field by field — including a user whose product
// access the search leaves out (read one by one) — that an unknown
// account is absent, and that it costs a few requests, not one per user.
func TestReadUsersMatchesUser(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 450)
	var refs []jira.UserRef
	for _, u := range s.Users() {
		refs = append(refs, jira.AccountID(u.AccountID))
	}
	hidden := refs[3].Value()
	require.True(t, s.HideProductAccess(hidden))
	refs = append(refs, jira.AccountID("557058:00000000-0000-0000-0000-000000000000"))
	s.ResetStats()
	got, err := c.ReadUsers(t.Context(), refs)
	require.NoError(t, err)
	requests := s.TotalRequests()
	t.Logf("%d users in %d requests: %v", len(got), requests, s.Stats())
	assert.Len(t, got, len(refs)-1, "the unknown account is absent")
	assert.Less(t, requests, 20)
	for _, r := range refs[:len(refs)-1] {
		want, err := c.User(t.Context(), r)
		require.NoError(t, err)
		u, ok := got[r.Value()]
		require.True(t, ok, r.Value())
		assert.Equal(t, want, u, r.Value())
	}
}

// TestReadUsersWrongFlavor: a DC reference is refused before any request.
func TestReadUsersWrongFlavor(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 3)
	s.ResetStats()
	_, err := c.ReadUsers(t.Context(), []jira.UserRef{jira.Username("alice")})
	require.ErrorIs(t, err, jira.ErrWrongFlavor)
	assert.Zero(t, s.TotalRequests())
}
