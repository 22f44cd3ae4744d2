package usermgmt_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/internal/smtptest"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/email"
	"github.com/seatwarden/seatwarden/usermgmt"
)

const notifyPolicy = `policies:
  - name: warn
    site: dc
    when: {timeZone: Europe/London}
    users:
      where: active && daysSinceLastLogin > 60 && property("seatwarden.warned", "") == ""
    actions:
      - action: notify
        subject: "Your Jira account will be deactivated on {{deadline}}"
        body: |
          Hello {{displayName}},
          you have not logged in to {{siteUrl}} for {{daysSinceLastLogin}} days.
          Your account will be deactivated on {{deadline}} unless you log in.
        deadlineDays: 60
      - action: setProperty
        key: seatwarden.warned
        value: "{{now}}"
    limits: {maxUsers: 1000}
`

// TestNotifyThroughSMTP: a notify policy run through the Manager sends
// each selected user exactly one mail to the in-process SMTP server, also
// when the run is cancelled mid-way and resumed with its journal; the
// plan shows the rendered text; a user without an email is reported in
// the plan and the run.
func TestNotifyThroughSMTP(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 80)
	_, err := dc.AddUser(jiratest.UserSpec{Name: "nomail", DisplayName: "No Mail", LastLogin: mgrNow.AddDate(0, 0, -200),
		Licences: []string{"jira-software"}})
	require.NoError(t, err)
	srv := smtptest.Start(t, smtptest.Options{})
	f := parse(t, notifyPolicy)
	m := newManager(t, f, fakes{"dc": dc}, func(c *usermgmt.Config) {
		c.SMTP = &email.SMTP{Host: srv.Host, Port: srv.Port, TLS: email.NoTLS, Timeout: 5 * time.Second}
		c.MailFrom = "seatwarden@example.com"
		c.Concurrency = 1
	})

	plan, _, err := m.Plan(t.Context())
	require.NoError(t, err)
	users := planned(plan, actions.KindNotify)
	require.Greater(t, len(users), 4, plan.Summary())
	sum := plan.Summary()
	assert.Contains(t, sum, "Cannot notify 1 users")
	assert.Contains(t, sum, "nomail (No Mail) (the user has no known email address)")
	assert.Contains(t, sum, "      | Your account will be deactivated on 30 April 2026 unless you log in.", "deadline: 60 days after 1 March 2026")
	assert.Contains(t, sum, "      | you have not logged in to https://dc.example.com for ")
	assert.Empty(t, srv.Messages(), "planning sends nothing")

	// Apply, cancelled once two mails have gone.
	journal := filepath.Join(t.TempDir(), "run.journal")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil && len(srv.Messages()) < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err = m.Apply(ctx, plan, usermgmt.ApplyOptions{Journal: journal})
	cancel()
	<-done
	require.Error(t, err, "the run was cancelled")
	first := len(srv.Messages())
	require.Less(t, first, len(users)-1, "the cancel came mid-run")

	run, err := m.Apply(t.Context(), plan, usermgmt.ApplyOptions{Journal: journal})
	require.NoError(t, err)
	per := map[string]int{}
	for _, msg := range srv.Messages() {
		require.Len(t, msg.To, 1)
		per[msg.To[0]]++
		assert.Contains(t, string(msg.Data), "Subject: Your Jira account will be deactivated on 30 April 2026")
	}
	// A mail whose sending the cancel interrupted is in doubt: never sent
	// again, reported as such (it may or may not have arrived). Every other
	// user with an email has exactly one mail; nobody has two.
	inDoubt := map[string]bool{}
	for _, r := range run.Results {
		if r.Step.Kind == actions.KindNotify && errors.Is(r.Err, actions.ErrInDoubt) {
			inDoubt[r.User.Email] = true
		}
	}
	assert.LessOrEqual(t, len(inDoubt), 1, "one send at a time was interrupted")
	for _, up := range plan.Users {
		if up.User.Email == "" {
			continue
		}
		if inDoubt[up.User.Email] {
			assert.LessOrEqual(t, per[up.User.Email], 1, "%s: in doubt, not sent again", up.User.Email)
			continue
		}
		assert.Equal(t, 1, per[up.User.Email], "%s: %s", up.User.Email, run.Summary())
	}
	assert.GreaterOrEqual(t, len(per), len(users)-1-len(inDoubt), "every user with an email, once")
	var reported bool
	for _, r := range run.Results {
		if r.User.Name == "nomail" && r.Step.Kind == actions.KindNotify {
			reported = r.Outcome == actions.Failed && errors.Is(r.Err, actions.ErrNoEmail)
		}
	}
	assert.True(t, reported, "the user without an email is reported in the run: %s", run.Summary())
	u, _ := dc.User("nomail")
	assert.NotContains(t, u.Properties, "seatwarden.warned", "not marked: never warned")

	// The next run selects only the user who was never warned.
	plan2, _, err := m.Plan(t.Context())
	require.NoError(t, err)
	again := planned(plan2, actions.KindNotify)
	assert.LessOrEqual(t, len(again), 2, "only the users whose mail failed or was in doubt: %s", plan2.Summary())
}

// TestNotifyWithoutSMTP: without SMTP settings the notify steps fail
// clearly, and nothing else of those users is done.
func TestNotifyWithoutSMTP(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 40)
	m := newManager(t, parse(t, notifyPolicy), fakes{"dc": dc}, nil)
	plan, run, err := m.Run(t.Context(), usermgmt.RunOptions{Apply: true, Journal: filepath.Join(t.TempDir(), "j")})
	require.NoError(t, err)
	n := len(planned(plan, actions.KindNotify))
	require.Positive(t, n)
	assert.Equal(t, n, run.Counts[actions.Failed], run.Summary())
	assert.Zero(t, run.Counts[actions.Applied])
	assert.Contains(t, run.Summary(), "no mail server is configured")
}

// TestNotifyTemplateErrorInFile: a bad template in a policy file is an
// error at load time, with the field path, the file's line and the line
// in the template.
func TestNotifyTemplateErrorInFile(t *testing.T) {
	t.Parallel()
	bad := strings.Replace(notifyPolicy, "you have not logged in to {{siteUrl}}", "you have not logged in to {{siteURL}}", 1)
	env := map[string]string{"DC_TOKEN": "t", "CLOUD_TOKEN": "t", "ORG_KEY": "k"}
	_, err := usermgmt.Parse([]byte(sitesYAML+bad), usermgmt.YAML, usermgmt.WithDir(t.TempDir()),
		usermgmt.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	le, ok := errors.AsType[*usermgmt.LoadError](err)
	require.True(t, ok, "%v", err)
	require.Len(t, le.Problems, 1, err.Error())
	p := le.Problems[0]
	assert.Equal(t, "policies[0].actions[0].body", p.Path)
	assert.Equal(t, 14, p.Line, "the line of body in the file")
	assert.Equal(t, "line 2, column 27 of the body: {{siteURL}} is not a placeholder; did you mean {{siteUrl}}? "+
		"(one of daysSinceLastLogin, deadline, displayName, email, lastLogin, name, policy, siteUrl, today, user)", p.Msg)

	noDays := strings.Replace(notifyPolicy, "        deadlineDays: 60\n", "", 1)
	_, err = usermgmt.Parse([]byte(sitesYAML+noDays), usermgmt.YAML, usermgmt.WithDir(t.TempDir()),
		usermgmt.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "policies[0].actions[0].deadlineDays: missing; the subject uses {{deadline}}")
}
