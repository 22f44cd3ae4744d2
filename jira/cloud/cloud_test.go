package cloud_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

const (
	email  = jiratest.DefaultCloudEmail
	token  = jira.Secret(jiratest.DefaultCloudToken)
	orgID  = jiratest.DefaultOrgID
	orgKey = jira.Secret(jiratest.DefaultOrgKey)
)

// newClient returns a client, with the Admin API, of a fresh in-memory
// Cloud fake holding the users user0001…userNNNN.
func newClient(t testing.TB, n int, opts ...jiratest.Option) (*cloud.Client, *jiratest.Server) {
	t.Helper()
	return newClientOrg(t, &jiratest.Org{Users: people(n), ClaimedDomains: []string{"example.com"}}, opts...)
}

func newClientOrg(t testing.TB, org *jiratest.Org, opts ...jiratest.Option) (*cloud.Client, *jiratest.Server) {
	t.Helper()
	s := jiratest.New(append([]jiratest.Option{jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(org)}, opts...)...)
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token),
		cloud.WithTransport(s.Transport()), cloud.WithRateLimit(1e6, 1e6),
		cloud.WithAdmin(orgID, orgKey), cloud.WithAdminURL(jiratest.InMemoryURL))
	require.NoError(t, err)
	return c, s
}

// people returns n users; every seventh is inactive, every third never
// logged in, every fifth hides its email, and those on other.org are not
// managed by the organisation.
func people(n int) []jiratest.UserSpec {
	out := make([]jiratest.UserSpec, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		name := fmt.Sprintf("user%04d", i+1)
		domain := "example.com"
		if i%4 == 3 {
			domain = "other.org"
		}
		out[i] = jiratest.UserSpec{Name: name, DisplayName: "User " + name[4:], Email: name + "@" + domain,
			Licences: []string{"jira-software"}, Inactive: i%7 == 6, EmailHidden: i%5 == 4,
			Created: base.AddDate(-1, 0, i%365)}
		if i%3 != 0 {
			out[i].LastLogin = base.AddDate(0, 0, i%300)
		}
	}
	return out
}

// ref returns the accountId reference of a fake user by email, or by the
// name of one of [people].
func ref(t testing.TB, s *jiratest.Server, id string) jira.UserRef {
	t.Helper()
	for _, e := range []string{id, id + "@example.com", id + "@other.org"} {
		if u, ok := s.User(e); ok {
			return jira.AccountID(u.AccountID)
		}
	}
	t.Fatalf("no user %s", id)
	return jira.UserRef{}
}

func TestUsersAllPages(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 2345)
	seen := map[string]bool{}
	for u, err := range c.Users.All(t.Context()) {
		require.NoError(t, err)
		require.False(t, seen[u.AccountID], "user %s twice", u.AccountID)
		seen[u.AccountID] = true
	}
	assert.Len(t, seen, 2346)
	assert.Equal(t, 4, s.Count("GET /rest/api/3/users/search"), "3 pages and the empty one")

	page, resp, err := c.Users.List(t.Context(), 2000, 1000)
	require.NoError(t, err)
	assert.Len(t, page, 346)
	assert.Equal(t, 2000, resp.Page.StartAt)

	found, _, err := c.Users.Search(t.Context(), &cloud.SearchOptions{Query: "User 0012"})
	require.NoError(t, err)
	require.Len(t, found, 1)
	_, _, err = c.Users.Search(t.Context(), &cloud.SearchOptions{})
	assert.ErrorContains(t, err, "cloud: ")
	n := 0
	for _, err := range c.Users.SearchAll(t.Context(), &cloud.SearchOptions{Query: "user"}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1000, n, "Jira considers the first 1000 matches only")

	bulk, _, err := c.Users.Bulk(t.Context(), []jira.UserRef{ref(t, s, "user0001"), ref(t, s, "user0002"), jira.AccountID("nobody")})
	require.NoError(t, err)
	assert.Len(t, bulk, 2)
	_, _, err = c.Users.Bulk(t.Context(), []jira.UserRef{jira.Username("user0001")})
	assert.ErrorIs(t, err, jira.ErrWrongFlavor)
}

func TestUserLastLoginAndHiddenEmail(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 5)
	ctx := t.Context()

	want, _ := s.User("user0005@example.com") // hides its email; logged in
	u, err := c.User(ctx, jira.AccountID(want.AccountID))
	require.NoError(t, err)
	assert.Equal(t, want.AccountID, u.AccountID)
	assert.Equal(t, "user0005@example.com", u.Email, "from the Admin API, since Jira hides it")
	assert.True(t, u.LastLogin.Known)
	assert.True(t, u.LastLogin.Time.Equal(want.LastLogin.Time), "%v vs %v", u.LastLogin, want.LastLogin)
	assert.True(t, u.LastActive["jira-software"].Equal(want.LastLogin.Time))
	assert.True(t, u.Created.Equal(want.Created))
	assert.Equal(t, []string{"jira-software-users"}, u.Groups)
	assert.Equal(t, []string{"jira-software"}, u.Licences)
	assert.Equal(t, "Demo Organization directory", u.Directory)

	never, err := c.User(ctx, ref(t, s, "user0001@example.com"))
	require.NoError(t, err)
	assert.True(t, never.LastLogin.Never())

	// Without the Admin API: unknown, not never, and the email stays hidden.
	plain, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token), cloud.WithTransport(s.Transport()))
	require.NoError(t, err)
	u, err = plain.User(ctx, jira.AccountID(want.AccountID))
	require.NoError(t, err)
	assert.False(t, u.LastLogin.Known)
	assert.Empty(t, u.Email)
	me, err := plain.Myself(ctx)
	require.NoError(t, err)
	assert.Equal(t, email, me.Email)
	assert.Contains(t, me.Groups, "site-admins")

	_, err = c.User(ctx, jira.Username("user0001"))
	assert.ErrorIs(t, err, jira.ErrWrongFlavor)
	_, err = c.User(ctx, jira.AccountID("712020:ghost"))
	assert.ErrorIs(t, err, jira.ErrNotFound)
	_, ok := errors.AsType[*jira.APIError](err)
	assert.True(t, ok)
}

func TestDeactivateManagedUnmanagedAndSynced(t *testing.T) {
	t.Parallel()
	org := &jiratest.Org{
		ClaimedDomains: []string{"example.com"},
		Users: []jiratest.UserSpec{
			{Name: "managed", Email: "managed@example.com", Licences: []string{"jira-software"}},
			{Name: "guest", Email: "guest@partner.org", Licences: []string{"jira-software"}},
			{Name: "scim", Email: "scim@example.com", Licences: []string{"jira-software"}, Synced: true},
		},
	}
	c, s := newClientOrg(t, org)
	ctx := t.Context()
	for _, tc := range []struct {
		email      string
		disabled   bool // disabled through the user management API
		suspension bool // suspended in the directory
	}{
		{"managed@example.com", true, false},
		{"guest@partner.org", false, true},
		{"scim@example.com", false, true},
	} {
		r := ref(t, s, tc.email)
		s.ResetStats()
		require.NoError(t, c.Deactivate(ctx, r), tc.email)
		u, _ := s.User(tc.email)
		assert.False(t, u.Active, tc.email)
		assert.Equal(t, tc.disabled, s.Count("POST /users/{accountId}/manage/lifecycle/disable") == 1, tc.email)
		assert.Equal(t, tc.suspension, s.Count("POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/suspend") == 1, tc.email)
		got, err := c.User(ctx, r)
		require.NoError(t, err)
		assert.False(t, got.Active, "later reads see the user inactive")
		require.NoError(t, c.Deactivate(ctx, r), "deactivating twice is fine")

		require.NoError(t, c.Reactivate(ctx, r), tc.email)
		u, _ = s.User(tc.email)
		assert.True(t, u.Active, tc.email)
		require.NoError(t, c.Reactivate(ctx, r), "reactivating an active user is a no-op")
	}

	plain, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token), cloud.WithTransport(s.Transport()))
	require.NoError(t, err)
	err = plain.Deactivate(ctx, ref(t, s, "managed@example.com"))
	assert.ErrorIs(t, err, jira.ErrUnsupported)
	assert.ErrorContains(t, err, "WithAdmin")
	_, _, err = plain.Admin.Directories(ctx)
	assert.ErrorIs(t, err, jira.ErrUnsupported)
	assert.ErrorIs(t, c.Deactivate(ctx, jira.UserKey("JIRAUSER10000")), jira.ErrWrongFlavor)
}

func TestWritesChangeTheFake(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 5)
	ctx := t.Context()

	require.NoError(t, c.AddToGroup(ctx, ref(t, s, "user0002@example.com"), "jira-servicemanagement-users"))
	require.NoError(t, c.AddToGroup(ctx, ref(t, s, "user0002@example.com"), "jira-servicemanagement-users"), "idempotent")
	members, _ := s.GroupMembers("jira-servicemanagement-users")
	assert.Equal(t, []string{ref(t, s, "user0002@example.com").Value()}, members)
	require.NoError(t, c.RemoveFromGroup(ctx, ref(t, s, "user0002@example.com"), "jira-servicemanagement-users"))
	require.NoError(t, c.RemoveFromGroup(ctx, ref(t, s, "user0002@example.com"), "jira-servicemanagement-users"), "idempotent")
	assert.ErrorIs(t, c.AddToGroup(ctx, ref(t, s, "user0002@example.com"), "no-such-group"), jira.ErrNotFound)

	u3 := ref(t, s, "user0003@example.com")
	require.NoError(t, c.RevokeLicence(ctx, u3, "jira-software"))
	u, _ := s.User(u3.Value())
	assert.Empty(t, u.Licences)
	require.NoError(t, c.RevokeLicence(ctx, u3, "jira-software"), "idempotent")
	require.NoError(t, c.GrantLicence(ctx, u3, "jira-servicedesk"))
	require.NoError(t, c.GrantLicence(ctx, u3, "jira-servicedesk"), "idempotent")
	u, _ = s.User(u3.Value())
	assert.Equal(t, []string{"jira-servicedesk"}, u.Licences)
	assert.ErrorIs(t, c.GrantLicence(ctx, u3, "no-such-product"), jira.ErrNotFound)

	u4 := ref(t, s, "user0004@other.org")
	require.NoError(t, c.SetProperty(ctx, u4, "deactivatedBy", json.RawMessage(`"seatwarden"`)))
	u, _ = s.User(u4.Value())
	assert.JSONEq(t, `"seatwarden"`, string(u.Properties["deactivatedBy"]))
	require.NoError(t, c.DeleteProperty(ctx, u4, "deactivatedBy"))
	require.NoError(t, c.DeleteProperty(ctx, u4, "deactivatedBy"), "idempotent")
	assert.ErrorIs(t, c.DeleteProperty(ctx, jira.AccountID("ghost"), "x"), jira.ErrNotFound)

	u5 := ref(t, s, "user0005@example.com")
	assert.ErrorIs(t, c.ResetPassword(ctx, u5, "n3w-Passw0rd"), jira.ErrUnsupported)
	assert.ErrorIs(t, c.InvalidateSessions(ctx, u5), jira.ErrUnsupported)
	require.NoError(t, c.Delete(ctx, u5))
	_, err := c.User(ctx, u5)
	assert.ErrorIs(t, err, jira.ErrNotFound, "gone from the site")
	dirs, _, err := c.Admin.Directories(ctx)
	require.NoError(t, err)
	du, _, err := c.Admin.User(ctx, dirs[0].DirectoryID, u5)
	require.NoError(t, err, "still in the organisation")
	assert.Equal(t, "user0005@example.com", du.Email)
	assert.ErrorIs(t, c.Delete(ctx, u5), jira.ErrNotFound)
}

func TestAdminService(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 250)
	ctx := t.Context()
	orgs, _, err := c.Admin.Orgs(ctx, "")
	require.NoError(t, err)
	require.Len(t, orgs, 1)
	assert.Equal(t, orgID, orgs[0].ID)
	dirs, _, err := c.Admin.Directories(ctx)
	require.NoError(t, err)
	require.Len(t, dirs, 1)
	dir := dirs[0].DirectoryID

	page, resp, err := c.Admin.Users(ctx, dir, &cloud.UsersOptions{Limit: 100})
	require.NoError(t, err)
	assert.Len(t, page, 100)
	for _, du := range page {
		require.Nil(t, du.ProductAccess, "GET directory users never carries productAccess")
		last, _ := du.LastActive()
		require.False(t, last.Known, "no productAccess: unknown, not never")
	}
	assert.NotEmpty(t, resp.Page.Next)
	next, _, err := c.Admin.Users(ctx, dir, &cloud.UsersOptions{Limit: 100, Cursor: resp.Page.Next})
	require.NoError(t, err)
	assert.NotEqual(t, page[0].AccountID, next[0].AccountID)

	n := 0
	for du, err := range c.Admin.AllUsers(ctx, dir, &cloud.UsersOptions{AccountStatus: []string{"inactive"}}) {
		require.NoError(t, err)
		assert.Equal(t, "inactive", du.AccountStatus)
		n++
	}
	assert.Equal(t, 250/7, n)

	found, _, err := c.Admin.Search(ctx, dir, &cloud.SearchRequest{Emails: []string{"user0042@example.com"}, Expand: []string{"productAccess"}})
	require.NoError(t, err)
	require.Len(t, found, 1)
	last, byProduct := found[0].LastActive()
	want, _ := s.User("user0042@example.com")
	assert.True(t, last.Time.Equal(want.LastLogin.Time))
	assert.Contains(t, byProduct, "jira-software")
	_, _, err = c.Admin.Search(ctx, dir, &cloud.SearchRequest{Emails: []string{"x@y"}, SearchTerm: "x"})
	assert.Error(t, err)

	r := ref(t, s, "user0042@example.com")
	dates, _, err := c.Admin.LastActiveDates(ctx, r)
	require.NoError(t, err)
	require.Len(t, dates.ProductAccess, 1)
	assert.Equal(t, want.LastLogin.Time.Format(time.DateOnly), dates.ProductAccess[0].LastActive)
	privs, _, err := c.Admin.ManagePrivileges(ctx, r)
	require.NoError(t, err)
	assert.True(t, privs[cloud.PrivilegeLifecycle].Allowed)
	_, _, err = c.Admin.ManagePrivileges(ctx, ref(t, s, "user0004@other.org"), cloud.PrivilegeLifecycle)
	assert.ErrorIs(t, err, jira.ErrForbidden, "an account the org does not manage is a 403")
	assert.ErrorIs(t, err, cloud.ErrLifecycleNotAllowed)
	assert.ErrorContains(t, err, "create the key without scopes")

	_, err = c.Admin.Disable(ctx, r, "On leave")
	require.NoError(t, err)
	du, _, err := c.Admin.User(ctx, dir, r)
	require.NoError(t, err)
	assert.Equal(t, "inactive", du.AccountStatus)
	_, err = c.Admin.Enable(ctx, r)
	require.NoError(t, err)
	_, err = c.Admin.Suspend(ctx, dir, r)
	require.NoError(t, err)
	du, _, _ = c.Admin.User(ctx, dir, r)
	assert.Equal(t, "suspended", du.Status)
	_, err = c.Admin.Restore(ctx, dir, r)
	require.NoError(t, err)
	_, err = c.Admin.Remove(ctx, dir, r)
	require.NoError(t, err)
	_, ok := s.User(r.Value())
	assert.False(t, ok)
	_, _, err = c.Admin.User(ctx, dir, r)
	assert.ErrorIs(t, err, jira.ErrNotFound)
	apiErr, ok := errors.AsType[*jira.APIError](err)
	require.True(t, ok)
	assert.NotEmpty(t, apiErr.Messages, "the Admin API's error list is kept")
}

func TestIssuesAndWebhooks(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 1)
	ctx := t.Context()
	is, err := c.CreateIssue(ctx, jira.IssueRequest{Project: "OPS", IssueType: "Task", Summary: "Approve plan",
		Description: "12 users\n\nto deactivate", Assignee: ref(t, s, "user0001@example.com")})
	require.NoError(t, err)
	assert.Equal(t, "OPS-1", is.Key)
	// Transitions and the status read back: TestIssueFlow in package
	// jira, on both flavours.
	_, err = c.Issues.DoTransition(ctx, is.Key, "21")
	require.NoError(t, err)

	_, err = c.CreateIssue(ctx, jira.IssueRequest{Project: "NOPE", IssueType: "Task", Summary: "x"})
	apiErr, ok := errors.AsType[*jira.APIError](err)
	require.True(t, ok)
	assert.Contains(t, apiErr.FieldErrors, "project")
	_, err = c.CreateIssue(ctx, jira.IssueRequest{Project: "OPS", IssueType: "Task", Summary: "x", Assignee: jira.Username("bob")})
	assert.ErrorIs(t, err, jira.ErrWrongFlavor)

	doc, err := json.Marshal(cloud.PlainADF("a\n\nb"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"doc","version":1,"content":[
		{"type":"paragraph","content":[{"type":"text","text":"a"}]},
		{"type":"paragraph"},
		{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}`, string(doc))

	// Webhook CRUD: TestWebhooksCRUD in package jira, on both flavours.
}

func TestGroupsService(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 120)
	ctx := t.Context()
	g, _, err := c.Groups.Create(ctx, "contractors")
	require.NoError(t, err)
	for i := 1; i <= 120; i++ {
		_, err := c.Groups.AddUser(ctx, jira.Group{ID: g.GroupID}, ref(t, s, fmt.Sprintf("user%04d", i)))
		require.NoError(t, err)
	}
	page, resp, err := c.Groups.Members(ctx, jira.Group{Name: "contractors"}, &cloud.MembersOptions{MaxResults: 50})
	require.NoError(t, err)
	assert.Len(t, page, 50)
	assert.True(t, resp.Page.TotalKnown)
	n := 0
	for _, err := range c.Groups.AllMembers(ctx, jira.Group{ID: g.GroupID}, &cloud.MembersOptions{IncludeInactive: true}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 120, n)
	n = 0
	for _, err := range c.GroupMembers(ctx, "contractors") {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 120, n)
	_, err = c.Groups.RemoveUser(ctx, jira.Group{Name: "contractors"}, ref(t, s, "user0001"))
	require.NoError(t, err)

	groups, _, err := c.Groups.List(ctx, &cloud.ListOptions{MaxResults: 2})
	require.NoError(t, err)
	assert.Len(t, groups, 2)
	var all []string
	for g, err := range c.Groups.All(ctx, nil) {
		require.NoError(t, err)
		all = append(all, g.Name)
	}
	assert.Equal(t, s.Groups(), all)
	found, _, err := c.Groups.Picker(ctx, "contr", 0)
	require.NoError(t, err)
	assert.Equal(t, 1, found.Total)
	_, err = c.Groups.Delete(ctx, jira.Group{Name: "contractors"}, jira.Group{})
	require.NoError(t, err)
	_, ok := s.GroupMembers("contractors")
	assert.False(t, ok)
	_, _, err = c.Groups.Members(ctx, jira.Group{}, nil)
	assert.ErrorContains(t, err, "cloud: ")
}

func TestUsersCreateAndGroups(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 1)
	ctx := t.Context()
	u, _, err := c.Users.Create(ctx, &cloud.CreateRequest{EmailAddress: "new@example.com", DisplayName: "New Person", Products: []string{"jira-software"}})
	require.NoError(t, err)
	fake, ok := s.User("new@example.com")
	require.True(t, ok)
	assert.Equal(t, fake.AccountID, u.AccountID)
	groups, _, err := c.Users.Groups(ctx, jira.AccountID(u.AccountID))
	require.NoError(t, err)
	require.Len(t, groups, 1)
	assert.Equal(t, "jira-software-users", groups[0].Name)
	_, _, err = c.Users.Create(ctx, &cloud.CreateRequest{EmailAddress: "none@example.com"})
	require.NoError(t, err, "no products")
	roles, _, err := c.Roles.List(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, roles[0].DefaultGroupsDetails)
}

// TestNoSecretsInErrors checks that neither the API token nor the
// organisation key shows in errors or logs, whatever fails.
func TestNoSecretsInErrors(t *testing.T) {
	t.Parallel()
	const apiToken, key = "tok-SECRET-1234", "orgkey-SECRET-5678"
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud))
	s.SetFaults("GET /rest/api/3/user", jiratest.Fault{Status: 503, Probability: 1, RetryAfter: time.Second})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, apiToken),
		cloud.WithTransport(s.Transport()), cloud.WithAdmin(orgID, key), cloud.WithAdminURL(jiratest.InMemoryURL),
		cloud.WithRetry(1, time.Millisecond, time.Second), cloud.WithLogger(logger))
	require.NoError(t, err)
	ctx := t.Context()
	var errs []error
	_, err = c.Myself(ctx) // 401: wrong token
	errs = append(errs, err)
	_, _, err = c.Admin.Directories(ctx) // 401: wrong key
	errs = append(errs, err)
	errs = append(errs, c.Deactivate(ctx, jira.AccountID("x")))
	_, err = c.User(ctx, jira.AccountID("x")) // 503, retried once, logged
	errs = append(errs, err)
	_, err = cloud.New("https://user:"+apiToken+"@example.atlassian.net", cloud.APITokenAuth(email, apiToken))
	errs = append(errs, err)
	_, err = cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, apiToken), cloud.WithAdmin(orgID, key), cloud.WithAdminURL("ftp://"+key))
	errs = append(errs, err)
	for _, err := range errs {
		require.Error(t, err)
		for _, secret := range []string{apiToken, key} {
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), secret)
		}
	}
	assert.ErrorIs(t, errs[0], jira.ErrUnauthorized)
	assert.ErrorIs(t, errs[1], jira.ErrUnauthorized)
	assert.Contains(t, logs.String(), "retrying", "the retry was logged")
	assert.NotContains(t, logs.String(), apiToken)
	assert.NotContains(t, logs.String(), key)
	printed := fmt.Sprintf("%v %+v", c, cloud.APITokenAuth(email, apiToken))
	assert.False(t, strings.Contains(printed, apiToken) || strings.Contains(printed, key), printed)
}
