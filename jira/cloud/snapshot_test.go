package cloud_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
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
	return &jiratest.Org{Users: users, ClaimedDomains: []string{"example.com"}}
}

// minSnapshotRequests is the fewest requests the Cloud APIs allow for a
// snapshot of users with their last login and the members of some groups:
//
//	ceil(users/1000) + 1     GET users/search: full pages, then the empty page that
//	                         proves the end (a short page does not: Jira may leave
//	                         out users the caller may not see)
//	+ 1 + ceil(dirUsers/100) Admin: the directories, then the directory users with
//	                         productAccess (links.next is null on the last page)
//	+ Σ ceil(members/50)     GET group/member for each group asked for
func minSnapshotRequests(users, dirUsers int, members ...int) int {
	n := (users+999)/1000 + 1
	n += 1 + (dirUsers+99)/100
	for _, m := range members {
		n += max(1, (m+49)/50)
	}
	return n
}

func TestSnapshotFetchesOnlyWhatIsAsked(t *testing.T) {
	t.Parallel()
	c, s := newClientOrg(t, snapshotOrg(10_000))
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
		_, dup := got[u.AccountID]
		require.False(t, dup, "each user once: %s", u.AccountID)
		got[u.AccountID] = u
	}
	require.Len(t, got, 10_001)
	want := minSnapshotRequests(10_001, 10_001, members...)
	t.Logf("%d requests, minimum %d: %v", s.TotalRequests(), want, s.Stats())
	assert.LessOrEqual(t, s.TotalRequests(), want+3, "requests %v", s.Stats())
	assert.Zero(t, s.Count("GET /rest/api/3/user"), "no per-user requests")

	// Every user's requested groups, last login, activity and email are
	// right, nothing else.
	for _, fake := range s.Users() {
		u := got[fake.AccountID]
		var wantGroups []string
		for _, g := range fake.Groups {
			if slices.Contains(groups, g) {
				wantGroups = append(wantGroups, g)
			}
		}
		require.Equal(t, wantGroups, u.Groups, fake.Email)
		require.True(t, u.LastLogin.Known, fake.Email)
		require.True(t, fake.LastLogin.Time.Equal(u.LastLogin.Time), "%s: %v vs %v", fake.Email, fake.LastLogin, u.LastLogin)
		require.Equal(t, len(fake.LastActive), len(u.LastActive), fake.Email)
		for k, v := range fake.LastActive {
			require.True(t, v.Equal(u.LastActive[k]), fake.Email)
		}
		require.True(t, fake.Created.Equal(u.Created), fake.Email)
		require.Equal(t, fake.Active, u.Active)
		require.Equal(t, fake.Email, u.Email, "hidden emails come from the Admin API")
		require.Nil(t, u.Licences)
	}
	raw, _, err := c.Users.Get(t.Context(), ref(t, s, "user0005"), nil)
	require.NoError(t, err)
	assert.Empty(t, raw.EmailAddress, "Jira hides user0005's email")
}

func TestSnapshotWithoutAdmin(t *testing.T) {
	t.Parallel()
	_, s := newClientOrg(t, snapshotOrg(50))
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token), cloud.WithTransport(s.Transport()))
	require.NoError(t, err)
	n := 0
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{LastLogin: true}) {
		require.NoError(t, err, "no Admin API: unknown, not an error")
		assert.False(t, u.LastLogin.Known)
		n++
	}
	assert.Equal(t, 51, n)
	for route := range s.Stats() {
		assert.NotContains(t, route, "/admin/")
	}
}

func TestSnapshotLicencesPropertiesActiveOnly(t *testing.T) {
	t.Parallel()
	c, s := newClientOrg(t, snapshotOrg(300))
	n := 0
	for u, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{Licences: true, Properties: []string{"department"}, ActiveOnly: true}) {
		require.NoError(t, err)
		fake, _ := s.User(u.AccountID)
		assert.True(t, u.Active)
		assert.Equal(t, fake.Licences, u.Licences, u.AccountID)
		assert.Equal(t, fake.Properties, u.Properties, u.AccountID)
		assert.False(t, u.LastLogin.Known, "not asked for")
		n++
	}
	active := 0
	for _, u := range s.Users() {
		if u.Active {
			active++
		}
	}
	assert.Equal(t, active, n)
	assert.Equal(t, 1, s.Count("GET /rest/api/3/applicationrole"))
	assert.Equal(t, active, s.Count("GET /rest/api/3/user/properties/{propertyKey}"), "one request per user and property")

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
	fake, _ := s.User(all[1].AccountID)
	assert.Equal(t, fake.Groups, all[1].Groups)
}

// TestSnapshotAgreesWithUser: the compact records a snapshot keeps per
// account give every user what a read of that one user gives — last
// login (known, never, unknown), activity per product, when the user
// joined, the directory, the email when Jira hides it, groups and
// licences — on a generated organisation (people, apps, customers;
// TestSnapshotLastActiveFromSearchOnly has the users whose last login is
// unknown).
func TestSnapshotAgreesWithUser(t *testing.T) {
	t.Parallel()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 300})
	c, _ := newClientOrg(t, org)
	groups := org.Groups
	opts := jira.SnapshotOptions{LastLogin: true, Licences: true, Groups: groups, OptionalGroups: []string{"no-such-group"}}
	kinds := map[string]int{}
	n := 0
	for got, err := range c.Snapshot(t.Context(), opts) {
		require.NoError(t, err)
		n++
		want, err := c.User(t.Context(), jira.AccountID(got.AccountID))
		require.NoError(t, err)
		assert.Equal(t, want.LastLogin, got.LastLogin, got.AccountID)
		assert.Equal(t, want.LastActive, got.LastActive, got.AccountID)
		assert.True(t, want.Created.Equal(got.Created), "%s: created %v, want %v", got.AccountID, got.Created, want.Created)
		assert.Equal(t, want.Directory, got.Directory, got.AccountID)
		assert.Equal(t, want.Email, got.Email, got.AccountID)
		assert.Equal(t, want.AccountType, got.AccountType, got.AccountID)
		want.Groups = slices.DeleteFunc(want.Groups, func(g string) bool { return !slices.Contains(groups, g) })
		if len(want.Groups) == 0 {
			want.Groups = nil
		}
		assert.Equal(t, want.Groups, got.Groups, got.AccountID)
		assert.Equal(t, want.Licences, got.Licences, got.AccountID)
		switch {
		case !got.LastLogin.Known:
			kinds["unknown"]++
		case got.LastLogin.Never():
			kinds["never"]++
		default:
			kinds["known"]++
		}
		if len(got.LastActive) > 1 {
			kinds["several products"]++
		}
	}
	require.Greater(t, n, 300)
	for _, k := range []string{"never", "known", "several products"} {
		assert.Positive(t, kinds[k], "no user whose last login is %s: the organisation does not test it", k)
	}
}
