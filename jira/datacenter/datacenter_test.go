package datacenter_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// newClient returns a client of a fresh in-memory fake with the given
// options and the users user0001…userNNNN.
func newClient(t *testing.T, n int, opts ...jiratest.Option) (*datacenter.Client, *jiratest.Server) {
	t.Helper()
	s := jiratest.New(append([]jiratest.Option{jiratest.WithOrg(&jiratest.Org{Users: people(n)})}, opts...)...)
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken), // Jira 11: no Basic
		datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1000, 1000))
	require.NoError(t, err)
	return c, s
}

func people(n int) []jiratest.UserSpec {
	out := make([]jiratest.UserSpec, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		name := fmt.Sprintf("user%04d", i+1)
		out[i] = jiratest.UserSpec{Name: name, DisplayName: "User " + name[4:], Email: name + "@example.com",
			Licences: []string{"jira-software"}, Inactive: i%7 == 6}
		if i%3 != 0 {
			out[i].LastLogin = base.AddDate(0, 0, i%300)
		}
	}
	return out
}

func TestUsersAllPagesBothWays(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"10.3.24", "9.12.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			c, s := newClient(t, 4321, jiratest.WithDCVersion(version))
			n := 0
			seen := map[string]bool{}
			for u, err := range c.Users.All(t.Context()) {
				require.NoError(t, err)
				require.False(t, seen[u.Key], "user %s twice", u.Key)
				seen[u.Key] = true
				n++
			}
			assert.Equal(t, 4322, n)
			if version == "10.3.24" {
				assert.Equal(t, 3, s.Count("GET /rest/api/2/user/list")) // 2000 + 2000 + 322
				assert.Zero(t, s.Count("GET /rest/api/2/user/search"))
			} else {
				assert.Equal(t, 1, s.Count("(unmatched)"))                 // GET /user/list tried: 404
				assert.Equal(t, 5, s.Count("GET /rest/api/2/user/search")) // 4 pages of 1000 and a short one
			}
		})
	}
}

func TestUserAndLastLogin(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 3)
	u, err := c.User(t.Context(), jira.Username("user0002"))
	require.NoError(t, err)
	want, _ := s.User("user0002")
	assert.Equal(t, want.Key, u.Key)
	assert.True(t, u.LastLogin.Known)
	assert.True(t, u.LastLogin.Time.Equal(want.LastLogin.Time), "%v vs %v", u.LastLogin, want.LastLogin)
	assert.Equal(t, []string{"jira-software-users"}, u.Groups)
	assert.Equal(t, []string{"jira-software"}, u.Licences)

	never, err := c.User(t.Context(), jira.Username("user0001"))
	require.NoError(t, err)
	assert.True(t, never.LastLogin.Never())

	old, s9 := newClient(t, 3, jiratest.WithDCVersion("9.12.0"))
	u9, err := old.User(t.Context(), jira.Username("user0002"))
	require.NoError(t, err)
	assert.False(t, u9.LastLogin.Known, "a 9.x server does not say: unknown, not never")
	_ = s9

	_, err = c.User(t.Context(), jira.AccountID("5b10a2844c20165700ede21g"))
	assert.ErrorIs(t, err, jira.ErrWrongFlavor)
	_, err = c.User(t.Context(), jira.Username("ghost"))
	assert.ErrorIs(t, err, jira.ErrNotFound)
	apiErr, ok := errors.AsType[*jira.APIError](err)
	require.True(t, ok)
	assert.Contains(t, apiErr.Messages[0], "ghost")
}

func TestWritesChangeTheFake(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 5)
	ctx := t.Context()
	key := func(name string) jira.UserRef { u, _ := s.User(name); return jira.UserKey(u.Key) }

	require.NoError(t, c.Deactivate(ctx, key("user0001")))
	u, _ := s.User("user0001")
	assert.False(t, u.Active)
	require.NoError(t, c.Deactivate(ctx, key("user0001")), "deactivating twice is fine")
	require.NoError(t, c.Reactivate(ctx, jira.Username("user0001")))
	u, _ = s.User("user0001")
	assert.True(t, u.Active)

	require.NoError(t, c.AddToGroup(ctx, key("user0002"), "jira-servicedesk-users"))
	require.NoError(t, c.AddToGroup(ctx, key("user0002"), "jira-servicedesk-users"), "idempotent")
	members, _ := s.GroupMembers("jira-servicedesk-users")
	assert.Equal(t, []string{"user0002"}, members)
	require.NoError(t, c.RemoveFromGroup(ctx, jira.Username("user0002"), "jira-servicedesk-users"))
	require.NoError(t, c.RemoveFromGroup(ctx, jira.Username("user0002"), "jira-servicedesk-users"), "idempotent")
	assert.ErrorIs(t, c.AddToGroup(ctx, jira.Username("user0002"), "no-such-group"), jira.ErrNotFound)

	require.NoError(t, c.RevokeLicence(ctx, key("user0003"), "jira-software"))
	u, _ = s.User("user0003")
	assert.Empty(t, u.Licences)
	require.NoError(t, c.GrantLicence(ctx, key("user0003"), "jira-core"))
	u, _ = s.User("user0003")
	assert.Equal(t, []string{"jira-core"}, u.Licences)

	require.NoError(t, c.SetProperty(ctx, key("user0004"), "deactivatedBy", json.RawMessage(`"seatwarden"`)))
	u, _ = s.User("user0004")
	assert.JSONEq(t, `"seatwarden"`, string(u.Properties["deactivatedBy"]))
	require.NoError(t, c.DeleteProperty(ctx, key("user0004"), "deactivatedBy"))
	require.NoError(t, c.DeleteProperty(ctx, key("user0004"), "deactivatedBy"), "idempotent")
	assert.ErrorIs(t, c.DeleteProperty(ctx, jira.Username("ghost"), "x"), jira.ErrNotFound)

	require.NoError(t, c.ResetPassword(ctx, jira.Username("user0005"), "n3w-Passw0rd"))
	require.NoError(t, c.InvalidateSessions(ctx, key("user0005")))
	require.NoError(t, c.Delete(ctx, jira.Username("user0005")))
	_, ok := s.User("user0005")
	assert.False(t, ok)
	assert.ErrorIs(t, c.Delete(ctx, jira.Username("user0005")), jira.ErrNotFound)
}

func TestRefusalsAreTyped(t *testing.T) {
	t.Parallel()
	org := &jiratest.Org{
		Directories: []jiratest.Directory{{ID: "10000", Name: "Corporate LDAP", ReadOnly: true}},
		Users:       []jiratest.UserSpec{{Name: "ldap", Email: "ldap@example.com", Directory: "10000"}, {Name: "lead", Email: "lead@example.com"}},
		Projects:    []jiratest.ProjectSpec{{Key: "WEB", Name: "Web", Lead: "lead"}},
	}
	s := jiratest.New(jiratest.WithOrg(org))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth("demo-token"), datacenter.WithTransport(s.Transport()))
	require.NoError(t, err)
	err = c.Deactivate(t.Context(), jira.Username("ldap"))
	assert.ErrorIs(t, err, jira.ErrForbidden)
	assert.Contains(t, err.Error(), "read-only")
	err = c.Delete(t.Context(), jira.Username("lead"))
	apiErr, ok := errors.AsType[*jira.APIError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Messages[0], "project lead")
}

func TestIssuesAndWebhooks(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 1)
	ctx := t.Context()
	is, err := c.CreateIssue(ctx, jira.IssueRequest{Project: "OPS", IssueType: "Task", Summary: "Approve plan", Description: "12 users", Assignee: jira.Username("user0001")})
	require.NoError(t, err)
	assert.Equal(t, "OPS-1", is.Key)
	// Transitions and the status read back: TestIssueFlow in package
	// jira, on both flavours.
	_, err = c.Issues.DoTransition(ctx, is.Key, "21")
	require.NoError(t, err)
	fake, _ := s.Issue(is.Key)
	assert.Equal(t, "Approved", fake.Status)

	_, err = c.CreateIssue(ctx, jira.IssueRequest{Project: "NOPE", IssueType: "Task", Summary: "x"})
	apiErr, ok := errors.AsType[*jira.APIError](err)
	require.True(t, ok)
	assert.Contains(t, apiErr.FieldErrors, "project")

	// Webhook CRUD: TestWebhooksCRUD in package jira, on both flavours.
}

func TestGroupsServiceAndPicker(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 120)
	ctx := t.Context()
	contractors := jira.Group{Name: "contractors"}
	_, _, err := c.Groups.Create(ctx, contractors.Name)
	require.NoError(t, err)
	for i := 1; i <= 120; i++ {
		_, err := c.Groups.AddUser(ctx, contractors, jira.Username(fmt.Sprintf("user%04d", i)))
		require.NoError(t, err)
	}
	// The same argument types and order as on Cloud; DC's group REST names
	// members by username, so a key or an id-only group is refused unsent.
	_, err = c.Groups.AddUser(ctx, contractors, jira.UserKey("JIRAUSER10001"))
	require.ErrorContains(t, err, "by username")
	_, err = c.Groups.RemoveUser(ctx, jira.Group{ID: "g-1"}, jira.Username("user0001"))
	require.ErrorContains(t, err, "needs a name")
	page, resp, err := c.Groups.Members(ctx, contractors, &datacenter.MembersOptions{MaxResults: 500})
	require.NoError(t, err)
	assert.Len(t, page, 50, "Jira caps group/member pages at 50")
	assert.Equal(t, 50, resp.Page.MaxResults)
	n := 0
	for _, err := range c.Groups.AllMembers(ctx, contractors, &datacenter.MembersOptions{IncludeInactive: true}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 120, n)
	found, _, err := c.Groups.Picker(ctx, "contr", 0)
	require.NoError(t, err)
	assert.Equal(t, 1, found.Total)
	_, err = c.Groups.Delete(ctx, contractors, jira.Group{})
	require.NoError(t, err)
	_, ok := s.GroupMembers("contractors")
	assert.False(t, ok)
}
