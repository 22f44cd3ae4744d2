package dirmove_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/datacenter/dirmove"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// onlineSite is a DC fake whose read-only "Old LDAP" comes after the
// internal directory, and the database state that goes with it.
func onlineSite(t *testing.T) (*datacenter.Client, *dirmove.State) {
	t.Helper()
	fake := jiratest.New(jiratest.WithOrg(&jiratest.Org{
		Directories: []jiratest.Directory{{ID: "10200", Name: "Old LDAP", ReadOnly: true}},
		Users: []jiratest.UserSpec{
			{Name: "alice", Key: "JIRAUSER20001", DisplayName: "Alice", Email: "alice@example.com", Directory: "Old LDAP", Groups: []string{"jira-software-users", "old-eng"}},
			{Name: "bob", Key: "JIRAUSER20002", DisplayName: "Bob", Email: "bob@example.com", Directory: "Old LDAP", Groups: []string{"jira-software-users"}},
		},
	}))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken),
		datacenter.WithTransport(fake.Transport()), datacenter.WithRateLimit(1e6, 1e6))
	require.NoError(t, err)
	st := &dirmove.State{
		Directories: []dirmove.Directory{
			{ID: 1, Name: "Jira Internal Directory", Type: "INTERNAL", Position: 0, Active: true, Writable: true},
			{ID: 10200, Name: "Old LDAP", Type: "CONNECTOR", Position: 1, Active: true},
		},
		Source: []dirmove.SourceUser{
			{UserRecord: dirmove.UserRecord{ID: 20001, Directory: 10200, Name: "alice", Display: "Alice", Email: "alice@example.com", Active: true}, Key: "JIRAUSER20001",
				Attributes:  []dirmove.Attribute{{ID: 1, Name: "login.count", Value: "4"}},
				Memberships: []dirmove.Membership{{ID: 7, FromGroup: "jira-software-users", FromGroupID: 30}, {ID: 8, FromGroup: "old-eng", FromGroupID: 31}}},
			{UserRecord: dirmove.UserRecord{ID: 20002, Directory: 10200, Name: "bob", Display: "Bob", Email: "bob@example.com", Active: true}, Key: "JIRAUSER20002",
				Memberships: []dirmove.Membership{{ID: 9, FromGroup: "jira-software-users", FromGroupID: 30}}},
		},
		Target:     map[string]dirmove.UserRecord{},
		Groups:     map[string]int64{"jira-software-users": 10},
		MaxGroupID: 31,
	}
	return c, st
}

func TestApplyOnline(t *testing.T) {
	ctx := t.Context()
	c, st := onlineSite(t)
	req := dirmove.Request{From: "Old LDAP", To: "Jira Internal Directory", Online: true}
	p, err := dirmove.NewPlan(st, req, time.Now())
	require.NoError(t, err)
	require.Len(t, p.Moves, 2)
	for _, m := range p.Moves {
		assert.Equal(t, "online", m.Way)
		assert.Contains(t, m.Reason, "online (REST): a new user of this name in Jira Internal Directory shadows the old one and keeps key "+m.Key)
	}
	assert.Contains(t, p.After[0], "Jira keeps running: no restart")
	sc, err := dirmove.Render(p, datacenter.PostgreSQL)
	require.NoError(t, err)
	assert.Empty(t, sc.Migrate, "an online plan has nothing for SQL")

	dups, _, err := c.Users.Duplicated(ctx, true)
	require.NoError(t, err)
	assert.Empty(t, dups)

	var journal bytes.Buffer
	res, err := dirmove.ApplyOnline(ctx, dirmove.ClientSite(c), p, dirmove.ApplyOptions{Journal: &journal})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Users)
	assert.Equal(t, 2, strings.Count(journal.String(), `"outcome":"verified"`))

	dups, _, err = c.Users.Duplicated(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, []datacenter.DuplicateAccount{
		{DirectoryID: 1, DirectoryName: "Jira Internal Directory", UserActive: true},
		{DirectoryID: 10200, DirectoryName: "Old LDAP", UserActive: true},
	}, dups["alice"])
	u, err := c.User(ctx, jira.Username("alice"))
	require.NoError(t, err)
	assert.Equal(t, "JIRAUSER20001", u.Key, "the key is per name: the new user keeps it")
	for _, g := range []string{"jira-software-users", "old-eng"} {
		in := false
		for m, err := range c.GroupMembers(ctx, g) {
			require.NoError(t, err)
			in = in || m.Name == "alice"
		}
		assert.True(t, in, "alice in %s", g)
	}

	// A rerun does nothing more.
	journal.Reset()
	res, err = dirmove.ApplyOnline(ctx, dirmove.ClientSite(c), p, dirmove.ApplyOptions{Journal: &journal})
	require.NoError(t, err)
	assert.Zero(t, res.Users)
	assert.Equal(t, 2, strings.Count(journal.String(), `"outcome":"already moved"`))
}

func TestOnlineNotPossible(t *testing.T) {
	_, st := onlineSite(t)
	// The target after the source: a new user would stay shadowed.
	st.Directories[0].Position, st.Directories[1].Position = 2, 1
	st.Directories[1].Writable = true
	p, err := dirmove.NewPlan(st, dirmove.Request{From: "Old LDAP", To: "Jira Internal Directory", Online: true}, time.Now())
	require.NoError(t, err)
	assert.Contains(t, p.Online, "not possible: POST /rest/api/2/user creates a user in the first writable directory by position, which is not the target; --online was asked")
	for _, m := range p.Moves {
		assert.Equal(t, "offline", m.Way, m.User.Name)
	}
}
