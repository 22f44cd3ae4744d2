package usermgmt_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// loginPolicy adds the users who log in to the group "returning".
const loginPolicy = `policies:
  - name: welcome-back
    site: dc
    when: {onLogin: {every: 15m}}
    users: {where: active}
    actions: [{action: addGroups, groups: [returning]}]
`

// listUsers is how a DC 10.3 snapshot lists the users.
const listUsers = "GET /rest/api/2/user/list"

// loginFake is a DC fake (version v, "" for the default) of 40 users
// generated up to the bubble's now, with a group "returning".
func loginFake(t *testing.T, v string) *jiratest.Server {
	t.Helper()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 40, Now: time.Now()})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	opts := []jiratest.Option{jiratest.WithOrg(org)}
	if v != "" {
		opts = append(opts, jiratest.WithDCVersion(v))
	}
	fake := jiratest.New(opts...)
	require.NoError(t, fake.AddGroup("returning"))
	return fake
}

// activeUsers returns n active users of the fake, not the tool's own
// account (which is protected).
func activeUsers(t *testing.T, fake *jiratest.Server, n int) []jira.User {
	t.Helper()
	var users []jira.User
	for _, u := range fake.Users() {
		if u.Active && u.AccountType != jira.AccountApp && u.Name != jiratest.DefaultDCUser && len(users) < n {
			users = append(users, u)
		}
	}
	require.Len(t, users, n)
	return users
}

func names(users ...jira.User) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.Name)
	}
	slices.Sort(out)
	return out
}

func returning(fake *jiratest.Server) []string {
	m, _ := fake.GroupMembers("returning")
	slices.Sort(m)
	return m
}

func openHistory(t *testing.T, path string) *history.SQLite {
	t.Helper()
	s, err := history.OpenSQLite(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newTrigger(t *testing.T, set *usermgmt.PolicySet, fake *jiratest.Server, store history.LoginStore) *usermgmt.LoginTrigger {
	t.Helper()
	tr, err := usermgmt.NewLoginTrigger(usermgmt.LoginTriggerConfig{
		Manager: usermgmt.Config{Policies: set, Connect: fakes{"dc": fake}.connect},
		Store:   store, Apply: true})
	require.NoError(t, err)
	return tr
}

// TestLoginTriggerRun runs the trigger on its interval in virtual time: the
// first check acts on nobody; a login between two checks adds that user
// to the group at the next check, once; checks without a login do nothing.
func TestLoginTriggerRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := loginFake(t, "")
		set := parse(t, loginPolicy)
		store := openHistory(t, filepath.Join(t.TempDir(), "history.db"))
		var checks []usermgmt.LoginCheck
		tr, err := usermgmt.NewLoginTrigger(usermgmt.LoginTriggerConfig{
			Manager: usermgmt.Config{Policies: set, Connect: fakes{"dc": fake}.connect},
			Store:   store, Apply: true,
			OnCheck: func(c usermgmt.LoginCheck, err error) {
				assert.NoError(t, err)
				checks = append(checks, c)
			}})
		require.NoError(t, err)
		assert.Equal(t, []string{"welcome-back"}, tr.Policies())

		ctx, stop := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { tr.Run(ctx); close(done) }()
		synctest.Wait()
		require.Len(t, checks, 1, "a check at once")
		assert.True(t, checks[0].First)
		assert.Nil(t, checks[0].Plan, "the first check acts on nobody")

		who := activeUsers(t, fake, 1)[0]
		fake.ResetStats()
		time.Sleep(5 * time.Minute)
		require.True(t, fake.SetLastLogin(who.Name, time.Now()))
		time.Sleep(10 * time.Minute) // the second check, 15 minutes after the first
		synctest.Wait()
		require.Len(t, checks, 2)
		assert.Equal(t, []string{who.Key}, checks[1].Logins)
		require.NotNil(t, checks[1].Run)
		assert.Equal(t, 1, checks[1].Run.Counts[actions.Applied])
		assert.Equal(t, names(who), returning(fake))
		assert.Equal(t, 2, fake.Count(listUsers), "the plan reuses the check's snapshot; apply verifies on a new one")

		fake.ResetStats()
		time.Sleep(30 * time.Minute) // two checks without a login
		synctest.Wait()
		assert.Equal(t, 2, fake.Count(listUsers), "one snapshot a check")
		require.Len(t, checks, 4)
		for _, c := range checks[2:] {
			assert.Empty(t, c.Logins)
			assert.Nil(t, c.Plan, "nothing planned without a login")
		}
		assert.Equal(t, names(who), returning(fake))
		stop()
		<-done
	})
}

// TestLoginTriggerUnknownIsNoLogin checks a DC 9.12 site, whose REST API
// says no last login: a login there is not seen, and nothing is done.
func TestLoginTriggerUnknownIsNoLogin(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := loginFake(t, "9.12")
		tr := newTrigger(t, parse(t, loginPolicy), fake, openHistory(t, filepath.Join(t.TempDir(), "history.db")))
		first, err := tr.Check(t.Context(), "welcome-back")
		require.NoError(t, err)
		assert.Positive(t, first.Unknown)
		time.Sleep(time.Minute)
		require.True(t, fake.SetLastLogin(activeUsers(t, fake, 1)[0].Name, time.Now()))
		time.Sleep(15 * time.Minute)
		c, err := tr.Check(t.Context(), "welcome-back")
		require.NoError(t, err)
		assert.Empty(t, c.Logins)
		assert.Nil(t, c.Plan)
		assert.Empty(t, returning(fake))
	})
}

// TestLoginTriggerAcrossRestart checks with one process (trigger, clients,
// store handle), stops, and checks again with a new one on the same
// history file: a login acted on before the restart is not acted on again,
// one that happened while the program was down is acted on once, and a
// login a crashed check recorded but did not act on is acted on.
func TestLoginTriggerAcrossRestart(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		fake := loginFake(t, "")
		set := parse(t, loginPolicy)
		path := filepath.Join(t.TempDir(), "history.db")
		users := activeUsers(t, fake, 3)
		a, b, c := users[0], users[1], users[2]

		store := openHistory(t, path)
		tr := newTrigger(t, set, fake, store)
		_, err := tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		time.Sleep(time.Minute)
		fake.SetLastLogin(a.Name, time.Now())
		time.Sleep(15 * time.Minute)
		got, err := tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		assert.Equal(t, []string{a.Key}, got.Logins)
		require.NoError(t, store.Close())

		// Down: b logs in.
		time.Sleep(time.Hour)
		fake.SetLastLogin(b.Name, time.Now())
		time.Sleep(time.Hour)

		store = openHistory(t, path)
		tr = newTrigger(t, set, fake, store)
		got, err = tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		assert.False(t, got.First)
		assert.Equal(t, []string{b.Key}, got.Logins, "b's login is seen, a's not again")
		assert.Equal(t, names(a, b), returning(fake))

		// A check that recorded c's login and crashed before acting on it.
		time.Sleep(time.Minute)
		fake.SetLastLogin(c.Name, time.Now())
		time.Sleep(15 * time.Minute)
		st, err := store.Logins(ctx, "welcome-back", "https://dc.example.com")
		require.NoError(t, err)
		require.NoError(t, store.SaveLogins(ctx, "welcome-back", "https://dc.example.com", st.Checked, history.LoginUpdate{
			Checked: time.Now().UTC(), Last: map[string]time.Time{c.Key: time.Now().Add(-15 * time.Minute).UTC()}, Pending: []string{c.Key}}))
		require.NoError(t, store.Close())

		store = openHistory(t, path)
		tr = newTrigger(t, set, fake, store)
		time.Sleep(15 * time.Minute)
		got, err = tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		assert.Empty(t, got.Logins, "c's login was recorded already")
		assert.Equal(t, []string{c.Key}, got.Retried, "and is acted on now")
		assert.Equal(t, names(a, b, c), returning(fake))
		st, err = store.Logins(ctx, "welcome-back", "https://dc.example.com")
		require.NoError(t, err)
		assert.Empty(t, st.Pending)
		assert.Contains(t, st.Last, a.Key)

		// a is deleted from the site: the next check forgets a's record.
		req, err := http.NewRequest(http.MethodDelete, fake.URL+"/rest/api/2/user?username="+a.Name, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+fake.Credentials().DCToken)
		resp, err := fake.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNoContent, resp.StatusCode)
		time.Sleep(15 * time.Minute)
		_, err = tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		st, err = store.Logins(ctx, "welcome-back", "https://dc.example.com")
		require.NoError(t, err)
		assert.NotContains(t, st.Last, a.Key, "a user no longer on the site is forgotten")
		assert.Contains(t, st.Last, b.Key)
	})
}

// TestLoginTriggerReplicas runs two triggers on one store from the same
// state: one records the check and acts, the other does nothing.
func TestLoginTriggerReplicas(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		fake := loginFake(t, "")
		set := parse(t, loginPolicy)
		store := openHistory(t, filepath.Join(t.TempDir(), "history.db"))
		tr := newTrigger(t, set, fake, store)
		_, err := tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		who := activeUsers(t, fake, 1)[0]
		time.Sleep(time.Minute)
		fake.SetLastLogin(who.Name, time.Now())
		time.Sleep(15 * time.Minute)

		// The second replica read the state before the first recorded.
		racing := &readOnce{LoginStore: store}
		other := newTrigger(t, set, fake, racing)
		st, err := store.Logins(ctx, "welcome-back", "https://dc.example.com")
		require.NoError(t, err)
		racing.st = &st
		got, err := tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		assert.Equal(t, []string{who.Key}, got.Logins)
		got, err = other.Check(ctx, "welcome-back")
		require.NoError(t, err)
		assert.True(t, got.Conflict)
		assert.Nil(t, got.Plan)
		assert.Equal(t, names(who), returning(fake))
	})
}

// readOnce is a store whose Logins returns st (a state read earlier).
type readOnce struct {
	history.LoginStore
	st *history.LoginState
}

func (r *readOnce) Logins(ctx context.Context, policy, site string) (history.LoginState, error) {
	if r.st != nil {
		return *r.st, nil
	}
	return r.LoginStore.Logins(ctx, policy, site)
}

// TestOnLoginPolicyFile checks the forms of when.onLogin and its errors.
func TestOnLoginPolicyFile(t *testing.T) {
	t.Parallel()
	f := parse(t, `policies:
  - {name: a, site: dc, when: {onLogin: true}, users: {where: active}, actions: [{action: reactivate}]}
  - {name: b, site: dc, when: {schedule: "@daily", onLogin: {every: 1h}}, users: {where: active}, actions: [{action: reactivate}]}
  - {name: c, site: dc, when: {onLogin: false}, users: {where: active}, actions: [{action: reactivate}]}
`)
	var got []string
	for _, p := range f.Policies() {
		every, ok := p.OnLoginEvery()
		got = append(got, p.Name+" "+every.String()+" "+map[bool]string{true: "on", false: "off"}[ok])
	}
	assert.Equal(t, []string{"a 15m0s on", "b 1h0m0s on", "c 0s off"}, got)
	assert.True(t, f.Policies()[1].Scheduled(), "a schedule and the trigger together")
	again, err := f.File().Compile(usermgmt.WithLookupEnv(func(string) (string, bool) { return "x", true }))
	require.NoError(t, err, "the compiled file compiles again")
	_, ok := again.Policies()[2].OnLoginEvery()
	assert.False(t, ok, "onLogin: false stays off through a copy")

	_, err = usermgmt.Parse([]byte(sitesYAML+`policies:
  - {name: a, site: dc, when: {onLogin: maybe}, users: {where: active}, actions: [{action: reactivate}]}
  - {name: b, site: dc, when: {onLogin: {every: 30s}}, users: {where: active}, actions: [{action: reactivate}]}
  - {name: c, site: dc, when: {onLogin: {every: soon}}, users: {where: active}, actions: [{action: reactivate}]}
  - {name: d, site: dc, when: {onLogin: {every: 90500ms}}, users: {where: active}, actions: [{action: reactivate}]}
  - {name: e, site: dc, actOn: cloud, when: {onLogin: true}, users: {where: active}, actions: [{action: reactivate}]}
  - {name: f, site: dc, when: {onLogin: true}, users: {where: active}, actions: [{action: reactivate}], approval: {project: OPS, issueType: Task}}
  - {name: g, site: dc, when: {onLogin: {evry: 1h}}, users: {where: active}, actions: [{action: reactivate}]}
`), usermgmt.YAML, usermgmt.WithLookupEnv(func(string) (string, bool) { return "x", true }))
	le, ok := errors.AsType[*usermgmt.LoadError](err)
	require.True(t, ok, "%v", err)
	got = got[:0]
	for _, p := range le.Problems {
		got = append(got, p.Path+": "+p.Msg)
		assert.Positive(t, p.Line, p.Path)
	}
	assert.ElementsMatch(t, []string{
		"policies[0].when.onLogin: want true, false or a mapping such as {every: 15m}",
		"policies[1].when.onLogin.every: at least 1m: each check reads the last login of every user of the site",
		"policies[2].when.onLogin.every: want a duration such as 15m or 1h",
		"policies[3].when.onLogin.every: want a whole number of seconds",
		"policies[4].when.onLogin: a login is seen and acted on on the policy's own site; leave actOn out",
		"policies[5].when.onLogin: a login is acted on when it is seen, without waiting for an approval; drop the approval or the trigger",
		`policies[6].when.onLogin.evry: unknown field "evry"; did you mean every?`,
	}, got)
}

// TestLoginTriggerCloud checks that a Cloud site's last active dates (from
// the Admin API) show a login the same way.
func TestLoginTriggerCloud(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 40, Now: time.Now()})
		fake := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(org))
		require.NoError(t, fake.AddGroup("returning"))
		set := parse(t, strings.ReplaceAll(loginPolicy, "site: dc", "site: cloud"))
		tr, err := usermgmt.NewLoginTrigger(usermgmt.LoginTriggerConfig{
			Manager: usermgmt.Config{Policies: set, Connect: fakes{"cloud": fake}.connect},
			Store:   openHistory(t, filepath.Join(t.TempDir(), "history.db")), Apply: true})
		require.NoError(t, err)
		_, err = tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		var who jira.User
		for _, u := range fake.Users() {
			if u.Active && u.AccountType == jira.AccountAtlassian && len(u.Licences) > 0 && u.Email != jiratest.DefaultCloudEmail {
				who = u
				break
			}
		}
		require.NotEmpty(t, who.AccountID)
		time.Sleep(time.Minute)
		require.True(t, fake.SetLastLogin(who.AccountID, time.Now()))
		time.Sleep(15 * time.Minute)
		got, err := tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		assert.Equal(t, []string{who.AccountID}, got.Logins)
		members, _ := fake.GroupMembers("returning")
		assert.Len(t, members, 1)
	})
}

// TestLoginTriggerRemovesWarnedMark runs the README's example: of the
// users marked seatwarden.warned, the one who logs in loses the mark; the
// others keep theirs, and so does a user without the mark who logs in.
func TestLoginTriggerRemovesWarnedMark(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 40, Now: time.Now()})
		var marked []string
		for i, u := range org.Users {
			if !u.Inactive && !u.Admin && u.AccountType != jira.AccountApp && len(marked) < 3 {
				org.Users[i].Properties = map[string]json.RawMessage{"seatwarden.warned": json.RawMessage(`"2026-01-01T06:00:00Z"`)}
				marked = append(marked, u.Name)
			}
		}
		var unmarked string
		for _, u := range org.Users {
			if !u.Inactive && !u.Admin && u.AccountType != jira.AccountApp && !slices.Contains(marked, u.Name) && u.Name != jiratest.DefaultDCUser {
				unmarked = u.Name
				break
			}
		}
		fake := jiratest.New(jiratest.WithOrg(org))
		set := parse(t, `policies:
  - name: welcome-back
    site: dc
    when: {onLogin: {every: 15m}}
    users:
      where: active && property("seatwarden.warned", "") != ""
    actions: [{action: deleteProperty, key: seatwarden.warned}]
`)
		tr := newTrigger(t, set, fake, openHistory(t, filepath.Join(t.TempDir(), "history.db")))
		_, err := tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		time.Sleep(time.Minute)
		fake.SetLastLogin(marked[1], time.Now())
		fake.SetLastLogin(unmarked, time.Now())
		time.Sleep(15 * time.Minute)
		got, err := tr.Check(ctx, "welcome-back")
		require.NoError(t, err)
		assert.Len(t, got.Logins, 2)
		require.NotNil(t, got.Plan)
		require.Len(t, got.Plan.Users, 1, "the unmarked user matches no criterion")
		assert.Equal(t, marked[1], got.Plan.Users[0].User.Name)
		for i, name := range marked {
			u, _ := fake.User(name)
			_, has := u.Properties["seatwarden.warned"]
			assert.Equal(t, i != 1, has, name)
		}
	})
}
