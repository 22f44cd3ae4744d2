package datacenter_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// snapshotOrg has n users in 40 groups: user i is in group-(i mod 40) and,
// for every third user, in group-(i mod 7) too.
func snapshotOrg(n int) *jiratest.Org {
	users := people(n)
	for i := range users {
		users[i].Groups = []string{fmt.Sprintf("group-%02d", i%40)}
		if i%3 == 0 {
			users[i].Groups = append(users[i].Groups, fmt.Sprintf("group-%02d", i%7))
		}
		if i%10 == 0 {
			users[i].Properties = map[string]json.RawMessage{"department": json.RawMessage(`"sales"`)}
		}
	}
	return &jiratest.Org{Users: users}
}

// minSnapshotRequests is the fewest requests the DC API allows for a
// snapshot of users with the members of some groups: ceil(users/2000)
// pages of /user/list plus ceil(members/50) pages of /group/member for each
// group (every page full but the last).
func minSnapshotRequests(users int, members ...int) int {
	n := (users + 1999) / 2000
	for _, m := range members {
		n += max(1, (m+49)/50)
	}
	return n
}

func TestSnapshotFetchesOnlyWhatIsAsked(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithOrg(snapshotOrg(10_000)))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
		datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1e6, 1e6))
	require.NoError(t, err)
	groups := []string{"group-03", "group-05", "group-11"}
	var members []int
	for _, g := range groups {
		m, _ := s.GroupMembers(g)
		members = append(members, len(m))
	}
	s.ResetStats()

	got := map[string]jira.User{}
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{Groups: groups, LastLogin: true}) {
		require.NoError(t, err)
		got[u.Key] = u
	}
	require.Len(t, got, 10_001)
	want := minSnapshotRequests(10_001, members...)
	assert.LessOrEqual(t, s.TotalRequests(), want+3, "requests %v", s.Stats())
	assert.Equal(t, 1, s.Count("GET /rest/api/2/serverInfo"))

	// Every user's requested groups and last login are right, nothing else.
	for _, fake := range s.Users() {
		u := got[fake.Key]
		var wantGroups []string
		for _, g := range fake.Groups {
			if slices.Contains(groups, g) {
				wantGroups = append(wantGroups, g)
			}
		}
		require.Equal(t, wantGroups, u.Groups, fake.Name)
		require.Equal(t, fake.LastLogin.Known, u.LastLogin.Known)
		require.True(t, fake.LastLogin.Time.Equal(u.LastLogin.Time), "%s: %v vs %v", fake.Name, fake.LastLogin, u.LastLogin)
		require.Equal(t, fake.Active, u.Active)
		require.Nil(t, u.Licences)
	}
}

func TestSnapshotLicencesPropertiesActiveOnly(t *testing.T) {
	t.Parallel()
	s := jiratest.New(jiratest.WithOrg(snapshotOrg(300)))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"), datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1e6, 1e6))
	require.NoError(t, err)
	n := 0
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{Licences: true, Properties: []string{"department"}, ActiveOnly: true}) {
		require.NoError(t, err)
		fake, _ := s.User(u.Key)
		assert.True(t, u.Active)
		assert.Equal(t, fake.Licences, u.Licences, u.Name)
		assert.Equal(t, fake.Properties, u.Properties, u.Name)
		n++
	}
	active := 0
	for _, u := range s.Users() {
		if u.Active {
			active++
		}
	}
	assert.Equal(t, active, n)
	assert.Equal(t, 1, s.Count("GET /rest/api/2/applicationrole"))
	assert.Equal(t, active, s.Count("GET /rest/api/2/user/properties/{propertyKey}"), "one request per user and property")

	for _, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{Groups: []string{"no-such-group"}}) {
		assert.ErrorIs(t, err, jira.ErrNotFound)
	}
	var all []jira.User
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{AllGroups: true}) {
		require.NoError(t, err)
		all = append(all, u)
		if len(all) == 5 {
			break // the iterator stops when the loop does
		}
	}
	fake, _ := s.User(all[1].Key)
	assert.Equal(t, fake.Groups, all[1].Groups)
}

// TestSnapshotAllGroupsManyGroups: with more groups than groups/picker's
// exclude list can carry (the fake's autocomplete limit is 20), the
// picker stops early and each user's groups are read instead — the same
// groups, without an over-long URL.
func TestSnapshotAllGroupsManyGroups(t *testing.T) {
	t.Parallel()
	c, s := newClient(t, 1000)
	for i := range 330 {
		require.NoError(t, s.AddGroup(fmt.Sprintf("team-%03d", i)))
	}
	s.ResetStats()
	n := 0
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{AllGroups: true}) {
		require.NoError(t, err)
		fake, ok := s.User(u.Key)
		require.True(t, ok)
		assert.Equal(t, fake.Groups, u.Groups, u.Name)
		n++
	}
	assert.Equal(t, n, s.Count("GET /rest/api/2/user"), "one read per user")
	assert.LessOrEqual(t, s.Count("GET /rest/api/2/groups/picker"), 300/20+2)
}
