package usermgmt_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// ExampleManager plans a policy on a fake Jira and applies it.
func ExampleManager() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fake := jiratest.New(jiratest.WithOrg(jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 100, Now: now})))
	defer fake.Close()

	f, err := usermgmt.Parse([]byte(`version: 1
policies:
  - name: long-gone
    users:
      where: active && daysSinceLastLogin > 365
      exemptions:
        expressions: [{name: app accounts, where: accountType != "atlassian"}]
    actions: [{action: removeAllLicences}]
    limits: {maxUsers: 20}
`), usermgmt.YAML)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := usermgmt.New(usermgmt.Config{
		Policies: f,
		// The file names no site: the manager's own, here the fake in memory.
		Site: usermgmt.Site{URL: fake.URL, Flavor: jira.DataCenter, Transport: fake.Transport(),
			Token: jira.Secret(fake.Credentials().DCToken), RateLimit: 10_000, Burst: 100},
		Now: func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, _, err := m.Plan(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("users to change:", len(plan.Users))
	run, err := m.Apply(ctx, plan, usermgmt.ApplyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("revoked:", run.Counts[actions.Applied] == plan.Counts[actions.KindRevokeLicence])
	// Output:
	// users to change: 12
	// revoked: true
}
