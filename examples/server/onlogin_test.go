package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// TestOnLoginServer runs the server's on-login checks in virtual time: a
// login between two checks adds the user to the group once; after a
// restart over the same history a login made while the server was down is
// acted on, and the earlier one not again.
func TestOnLoginServer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 60, Now: time.Now()})
		for i := range org.Directories {
			org.Directories[i].ReadOnly = false
		}
		fake := jiratest.New(jiratest.WithOrg(org))
		require.NoError(t, fake.AddGroup("returning"))
		f, err := usermgmt.Parse([]byte(`version: 1
sites:
  jira: {url: "https://jira.example.com", flavor: dc, token: "${JIRA_TOKEN}"}
policies:
  - name: welcome-back
    when: {onLogin: {every: 15m}}
    users: {where: 'active && !inGroup("returning")'}
    actions: [{action: addGroups, groups: [returning]}]
`), usermgmt.YAML, usermgmt.WithLookupEnv(func(k string) (string, bool) { return "jira-token", k == "JIRA_TOKEN" }))
		require.NoError(t, err)
		var who []string
		for _, u := range fake.Users() {
			if u.Active && u.Name != jiratest.DefaultDCUser && u.AccountType == jira.AccountAtlassian && len(who) < 2 {
				who = append(who, u.Name)
			}
		}
		slices.Sort(who)
		var logs syncBuffer
		start := func() (*server, *history.SQLite) {
			store, err := history.OpenSQLite(context.Background(), filepath.Join(dir, "history.db"))
			require.NoError(t, err)
			cr := fake.Credentials()
			site := usermgmt.Site{URL: fake.URL, Flavor: jira.DataCenter, Transport: fake.Transport(), Token: jira.Secret(cr.DCToken),
				RateLimit: 100_000, Burst: 1000}
			s, err := newServer(t.Context(), serverConfig{file: f, store: store, apiToken: testToken, webhookSecret: testSecret,
				dataDir: dir, publicURL: publicURL, log: slog.New(slog.NewJSONHandler(&logs, nil)),
				connect: func(ctx context.Context, _ usermgmt.Site) (usermgmt.Client, error) {
					return usermgmt.Connect(ctx, site)
				}})
			require.NoError(t, err)
			s.loginLoop()
			return s, store
		}
		members := func() []string {
			m, _ := fake.GroupMembers("returning")
			slices.Sort(m)
			return m
		}

		s, store := start()
		synctest.Wait()
		assert.Contains(t, logs.String(), `"msg":"policy checks logins","policy":"welcome-back"`)
		time.Sleep(time.Minute)
		fake.SetLastLogin(who[0], time.Now())
		time.Sleep(14 * time.Minute)
		synctest.Wait()
		assert.Equal(t, who[:1], members())
		s.stop()
		require.NoError(t, store.Close())

		time.Sleep(time.Hour)
		fake.SetLastLogin(who[1], time.Now())
		time.Sleep(time.Hour)
		s, store = start()
		synctest.Wait()
		assert.Equal(t, who, members())
		assert.Equal(t, 2, strings.Count(logs.String(), `"logins":1`), "one login acted on at each of two checks: %s", logs.String())
		s.stop()
		require.NoError(t, store.Close())
	})
}
