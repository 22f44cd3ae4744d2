package cloud_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

func lifecycleOrg() *jiratest.Org {
	return &jiratest.Org{
		ClaimedDomains: []string{"example.com"},
		Users: []jiratest.UserSpec{
			{Name: "managed", Email: "managed@example.com", Licences: []string{"jira-software"}},
			{Name: "guest", Email: "guest@partner.org", Licences: []string{"jira-software"}},
			{Name: "scim", Email: "scim@example.com", Licences: []string{"jira-software"}, Synced: true},
			{Name: "leaving", Email: "leaving@example.com", Licences: []string{"jira-software"}},
			{Name: "outside", Email: "outside@example.com", Licences: []string{"jira-software"}},
		},
	}
}

// TestDeactivateUserReportsPath: each user's path is reported, and a 403
// from the user management API (unmanaged account or scoped key) means
// suspension, not failure.
func TestDeactivateUserReportsPath(t *testing.T) {
	t.Parallel()
	c, s := newClientOrg(t, lifecycleOrg())
	ctx := t.Context()
	for _, tc := range []struct {
		email, path, reason string
	}{
		{"managed@example.com", cloud.PathDisabled, ""},
		{"guest@partner.org", cloud.PathSuspended, "unmanaged account"},
		{"scim@example.com", cloud.PathSuspended, "synced from an identity provider"},
	} {
		d, err := c.DeactivateUser(ctx, ref(t, s, tc.email))
		require.NoError(t, err, tc.email)
		assert.Equal(t, cloud.Deactivation{Path: tc.path, Status: cloud.StatusActive, Reason: tc.reason}, d, tc.email)
		u, _ := s.User(tc.email)
		assert.False(t, u.Active, tc.email)
		d, err = c.DeactivateUser(ctx, ref(t, s, tc.email))
		require.NoError(t, err)
		assert.Equal(t, cloud.PathAlready, d.Path, tc.email)
	}

	// A key created with scopes: the user management API answers 403, so
	// a managed account is suspended instead, and Disable says why.
	scoped := "scoped-org-key"
	c2, s2 := newClientOrg(t, lifecycleOrg(), jiratest.WithScopedOrgKey(scoped))
	cs, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token), cloud.WithTransport(s2.Transport()),
		cloud.WithAdmin(orgID, jira.Secret(scoped)), cloud.WithAdminURL(jiratest.InMemoryURL))
	require.NoError(t, err)
	r := ref(t, s2, "managed@example.com")
	d, err := cs.DeactivateUser(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, cloud.PathSuspended, d.Path)
	assert.Contains(t, d.Reason, "403 forbidden")
	_, err = cs.Admin.Disable(ctx, r, "")
	assert.ErrorIs(t, err, cloud.ErrLifecycleNotAllowed)
	assert.ErrorIs(t, err, jira.ErrForbidden)
	assert.ErrorContains(t, err, "create the key without scopes")
	// The full key disables the same account.
	require.NoError(t, c2.Reactivate(ctx, r))
	d, err = c2.DeactivateUser(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, cloud.PathDisabled, d.Path)
}

// TestNotInvitedAndForDeletionAreReported: users whose status is
// not_invited or for_deletion are reported, not acted on.
func TestNotInvitedAndForDeletionAreReported(t *testing.T) {
	t.Parallel()
	c, s := newClientOrg(t, lifecycleOrg())
	ctx := t.Context()
	leaving, outside := ref(t, s, "leaving@example.com"), ref(t, s, "outside@example.com")
	require.True(t, s.MarkForDeletion(leaving.Value()))
	require.True(t, s.SetNotInvited(outside.Value(), true))
	for _, tc := range []struct {
		r      jira.UserRef
		status string
	}{{leaving, cloud.StatusForDeletion}, {outside, cloud.StatusNotInvited}} {
		dir, _, err := c.Admin.Directories(ctx)
		require.NoError(t, err)
		du, _, err := c.Admin.User(ctx, dir[0].DirectoryID, tc.r)
		require.NoError(t, err)
		assert.Equal(t, tc.status, du.Status)
		s.ResetStats()
		d, err := c.DeactivateUser(ctx, tc.r)
		assert.ErrorIs(t, err, cloud.ErrNotActionable)
		assert.ErrorContains(t, err, tc.status)
		assert.Equal(t, cloud.PathNone, d.Path)
		assert.ErrorIs(t, c.Reactivate(ctx, tc.r), cloud.ErrNotActionable)
		for _, rt := range s.Routes() {
			if rt.Method != "GET" {
				assert.Zero(t, s.Count(rt.String()), "%s: %s was called", tc.status, rt)
			}
		}
	}
	// The status filter finds them.
	dirs, _, err := c.Admin.Directories(ctx)
	require.NoError(t, err)
	found, _, err := c.Admin.Search(ctx, dirs[0].DirectoryID, &cloud.SearchRequest{Status: []string{cloud.StatusForDeletion, cloud.StatusNotInvited}})
	require.NoError(t, err)
	assert.Len(t, found, 2)
	found, _, err = c.Admin.Users(ctx, dirs[0].DirectoryID, &cloud.UsersOptions{MembershipStatus: []string{"no_membership"}})
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, outside.Value(), found[0].AccountID)
}

// TestReactivateLiftsDisableAndSuspension: a user both disabled and
// suspended reads "deactivated"; Reactivate lifts both and confirms.
func TestReactivateLiftsDisableAndSuspension(t *testing.T) {
	t.Parallel()
	c, s := newClientOrg(t, lifecycleOrg())
	ctx := t.Context()
	r := ref(t, s, "managed@example.com")
	dirs, _, err := c.Admin.Directories(ctx)
	require.NoError(t, err)
	dir := dirs[0].DirectoryID
	_, err = c.Admin.Suspend(ctx, dir, r)
	require.NoError(t, err)
	_, err = c.Admin.Disable(ctx, r, "left")
	require.NoError(t, err)
	du, _, err := c.Admin.User(ctx, dir, r)
	require.NoError(t, err)
	assert.Equal(t, cloud.StatusDeactivated, du.Status)
	assert.Equal(t, "suspended", du.MembershipStatus)

	s.ResetStats()
	require.NoError(t, c.Reactivate(ctx, r))
	assert.Equal(t, 2, s.Count("GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}"), "read, then re-read to confirm")
	du, _, err = c.Admin.User(ctx, dir, r)
	require.NoError(t, err)
	assert.Equal(t, cloud.StatusActive, du.Status)
	assert.Equal(t, "active", du.MembershipStatus)
	u, _ := s.User(r.Value())
	assert.True(t, u.Active)
	assert.Equal(t, 1, s.Count("POST /users/{accountId}/manage/lifecycle/enable"))
	assert.Equal(t, 1, s.Count("POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/restore"))

	// A synced account that is suspended is restored without the user
	// management API, which may not change it.
	scim := ref(t, s, "scim@example.com")
	_, err = c.Admin.Suspend(ctx, dir, scim)
	require.NoError(t, err)
	s.ResetStats()
	require.NoError(t, c.Reactivate(ctx, scim))
	assert.Zero(t, s.Count("POST /users/{accountId}/manage/lifecycle/enable"))
	u, _ = s.User(scim.Value())
	assert.True(t, u.Active)
}
