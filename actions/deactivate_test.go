package actions_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// BenchmarkApplyDeactivate plans the deactivation of the users who never
// logged in (200 of 600; on Cloud half of them on an unclaimed domain, so
// suspended rather than disabled) and applies it, counting every request
// of the apply — the re-check before the write included — per
// deactivated user. The target is at most 2 on both flavours.
func BenchmarkApplyDeactivate(b *testing.B) {
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		b.Run(f.String(), func(b *testing.B) {
			var requests, users int
			for b.Loop() {
				b.StopTimer()
				users0 := people(600)
				if f == jira.Cloud {
					for i := range users0 {
						users0[i].Name = ""
						if i%2 == 1 {
							users0[i].Email = fmt.Sprintf("user%04d@partner.example.net", i+1)
						}
					}
				}
				s := jiratest.New(jiratest.WithFlavor(f), jiratest.WithOrg(&jiratest.Org{Users: users0, ClaimedDomains: []string{"example.com"}}))
				var c jira.Site
				var err error
				if f == jira.DataCenter {
					c, err = datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jira.Secret(jiratest.DefaultDCToken)),
						datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(1e6, 1000))
				} else {
					cr := s.Credentials()
					c, err = cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(cr.CloudEmail, jira.Secret(cr.CloudToken)),
						cloud.WithTransport(s.Transport()), cloud.WithAdmin(cr.OrgID, jira.Secret(cr.OrgKey)), cloud.WithAdminURL(jiratest.InMemoryURL),
						cloud.WithRateLimit(1e6, 1000))
				}
				require.NoError(b, err)
				ctx := b.Context()
				p := actions.Policy{Name: "never", Select: crit(b, `active && neverLoggedIn`), Action: actions.Deactivate()}
				req := actions.Requirements(f, []actions.Policy{p}, actions.Exemptions{})
				req.LastLogin = true
				me, err := c.Myself(ctx)
				require.NoError(b, err)
				plan, err := actions.NewPlan(ctx, c.Snapshot(ctx, req), []actions.Policy{p},
					actions.PlanOptions{Flavor: f, Myself: me, Snapshot: req, Now: now, ID: "01970000-0000-7000-8000-000000000009"})
				require.NoError(b, err)
				require.Len(b, plan.Users, 200)
				s.ResetStats()
				b.StartTimer()
				run, err := actions.Apply(ctx, c, plan, actions.ApplyOptions{Now: func() time.Time { return now }})
				b.StopTimer()
				require.NoError(b, err)
				require.Equal(b, 200, run.Counts[actions.Applied], run.Summary())
				requests += s.TotalRequests()
				users += len(plan.Users)
				b.StartTimer()
			}
			b.ReportMetric(float64(requests)/float64(users), "requests/user")
		})
	}
}

// TestApplyCloudBulkRecheck: on Cloud the stale re-check reads the users
// in bulk (the client is a jira.BulkUserReader), and still skips a user
// who logged in since the plan and one who no longer exists, while the
// others are deactivated.
func TestApplyCloudBulkRecheck(t *testing.T) {
	t.Parallel()
	users := people(30)
	for i := range users {
		users[i].Name = ""
	}
	s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(&jiratest.Org{Users: users, ClaimedDomains: []string{"example.com"}}))
	cr := s.Credentials()
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(cr.CloudEmail, jira.Secret(cr.CloudToken)),
		cloud.WithTransport(s.Transport()), cloud.WithAdmin(cr.OrgID, jira.Secret(cr.OrgKey)), cloud.WithAdminURL(jiratest.InMemoryURL),
		cloud.WithRateLimit(1e6, 1000))
	require.NoError(t, err)
	ctx := t.Context()
	p := actions.Policy{Name: "never", Select: crit(t, `active && neverLoggedIn`), Action: actions.Deactivate()}
	req := actions.Requirements(jira.Cloud, []actions.Policy{p}, actions.Exemptions{})
	req.LastLogin = true
	me, err := c.Myself(ctx)
	require.NoError(t, err)
	plan, err := actions.NewPlan(ctx, c.Snapshot(ctx, req), []actions.Policy{p},
		actions.PlanOptions{Flavor: jira.Cloud, Myself: me, Snapshot: req, Now: now, ID: "01970000-0000-7000-8000-000000000010"})
	require.NoError(t, err)
	require.Len(t, plan.Users, 10)
	loggedIn, gone := plan.Users[0].User.AccountID, plan.Users[1].User.AccountID
	require.True(t, s.SetLastLogin(loggedIn, now))
	_, err = c.Users.Delete(ctx, jira.AccountID(gone))
	require.NoError(t, err)
	s.ResetStats()
	run, err := actions.Apply(ctx, c, plan, actions.ApplyOptions{Now: func() time.Time { return now }})
	require.NoError(t, err)
	for _, r := range run.Results {
		switch r.User.AccountID {
		case loggedIn:
			assert.Equal(t, actions.Stale, r.Outcome)
			assert.Contains(t, r.Message, "changed since the plan")
		case gone:
			assert.Equal(t, actions.Stale, r.Outcome)
			assert.Contains(t, r.Message, "no longer exists")
		default:
			assert.Equal(t, actions.Applied, r.Outcome, r.User.AccountID)
		}
	}
	u, _ := s.User(loggedIn)
	assert.True(t, u.Active, "the stale user is left alone")
	assert.Positive(t, s.Count("GET /rest/api/3/user/bulk"))
	assert.Zero(t, s.Count("GET /rest/api/3/user"), "no per-user re-read")
}
