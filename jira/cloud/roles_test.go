package cloud_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestJiraAdminIsNotSiteAdmin: group writes and removing a user from the
// site need site-admin; a Jira administrator gets a 403 whose error names
// the missing role, and can still read.
func TestJiraAdminIsNotSiteAdmin(t *testing.T) {
	t.Parallel()
	const jaEmail, jaToken = "jira-admin@example.com", "ja-token"
	_, s := newClient(t, 5, jiratest.WithJiraAdmin(jaEmail, jaToken))
	ja, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(jaEmail, jaToken), cloud.WithTransport(s.Transport()))
	require.NoError(t, err)
	ctx := t.Context()
	r := ref(t, s, "user0001")

	_, err = ja.User(ctx, r)
	require.NoError(t, err, "a Jira administrator reads users")
	for name, err := range map[string]error{
		"AddToGroup":      ja.AddToGroup(ctx, r, "jira-admins"),
		"RemoveFromGroup": ja.RemoveFromGroup(ctx, r, "jira-software-users"),
		"Delete":          ja.Delete(ctx, r),
		"Create group":    func() error { _, _, err := ja.Groups.Create(ctx, "new-group"); return err }(),
		"Delete group": func() error {
			_, err := ja.Groups.Delete(ctx, jira.Group{Name: "jira-software-users"}, jira.Group{})
			return err
		}(),
	} {
		assert.ErrorIs(t, err, jira.ErrForbidden, name)
		assert.ErrorContains(t, err, "needs the site-admin role", name)
	}
	u, ok := s.User(r.Value())
	require.True(t, ok, "the user is still on the site")
	assert.Equal(t, []string{"jira-software"}, u.Licences, "no group changed")
}
