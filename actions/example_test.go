package actions_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/criteria"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

func exampleSite() (*jiratest.Server, *datacenter.Client) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: []jiratest.UserSpec{
		{Name: "ann", DisplayName: "Ann", Email: "ann@example.com", Licences: []string{"jira-software"}, LastLogin: at.AddDate(0, 0, -200)},
		{Name: "bob", DisplayName: "Bob", Email: "bob@example.com", Licences: []string{"jira-software"}, LastLogin: at.AddDate(0, 0, -2)},
		{Name: "cyd", DisplayName: "Cyd", Email: "cyd@example.com", Licences: []string{"jira-software"}, LastLogin: at.AddDate(0, 0, -400)},
	}}))
	c, _ := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jiratest.DefaultDCToken), datacenter.WithTransport(s.Transport()))
	return s, c
}

func ExampleNewPlan() {
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	_, c := exampleSite()
	p, _ := criteria.Compile(`active && daysSinceLastLogin > 90`, criteria.WithNow(func() time.Time { return at }))
	policies := []actions.Policy{{
		Name:       "inactive-90-days",
		Select:     p,
		Action:     actions.Sequence(actions.SetProperty("deactivatedOn", "{{now}}"), actions.RemoveAllLicences(), actions.Deactivate()),
		Exemptions: actions.Exemptions{Users: []actions.Entry{{Value: "cyd", Until: at.AddDate(0, 1, 0), Reason: "on leave"}}},
		Limits:     actions.Limits{MaxPercent: 50},
	}}
	req := actions.Requirements(jira.DataCenter, policies, actions.Exemptions{})
	req.LastLogin = true
	me, _ := c.Myself(ctx)
	plan, err := actions.NewPlan(ctx, c.Snapshot(ctx, req), policies, actions.PlanOptions{
		ID: "0197a1b2-0000-7000-8000-000000000001", Now: at, Flavor: jira.DataCenter, Myself: me, Snapshot: req})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan.Summary())
	// Output:
	// Plan 0197a1b2-0000-7000-8000-000000000001 for dc, 2026-06-01T12:00:00Z
	// Policies: inactive-90-days
	// Users: 4 in the snapshot (4 active); 1 to change, 0 already done, 1 exempt, 0 in conflict
	// Steps: set-property 1, revoke-licence 1, deactivate 1
	//   ann (Ann): set-property deactivatedOn, revoke-licence jira-software, deactivate — inactive-90-days: active: true ✓; daysSinceLastLogin > 90: 200 > 90 ✓
	//   exempt cyd (Cyd) from inactive-90-days: exempt user cyd until 2026-07-01T12:00:00Z (on leave)
}

func ExampleApply() {
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s, c := exampleSite()
	p, _ := criteria.Compile(`active && daysSinceLastLogin > 90`, criteria.WithNow(func() time.Time { return at }))
	policies := []actions.Policy{{Name: "inactive", Select: p, Action: actions.Deactivate()}}
	req := actions.Requirements(jira.DataCenter, policies, actions.Exemptions{})
	me, _ := c.Myself(ctx)
	plan, _ := actions.NewPlan(ctx, c.Snapshot(ctx, req), policies, actions.PlanOptions{
		ID: "0197a1b2-0000-7000-8000-000000000002", Now: at, Flavor: jira.DataCenter, Myself: me, Snapshot: req})

	// A dry run re-reads the users and writes nothing: cyd logged in since.
	s.SetLastLogin("cyd", at)
	dry, _ := actions.Apply(ctx, c, plan, actions.ApplyOptions{DryRun: true, RunID: "dry"})
	fmt.Print(strings.ReplaceAll(dry.Summary(), "last login "+at.Format(time.RFC3339), "last login today"))

	run, _ := actions.Apply(ctx, c, plan, actions.ApplyOptions{RunID: "run"})
	fmt.Println(run.Counts)
	ann, _ := s.User("ann")
	fmt.Println("ann active:", ann.Active)
	// Output:
	// Dry run of plan 0197a1b2-0000-7000-8000-000000000002: 2 steps: 1 planned, 1 stale
	//   cyd (Cyd) deactivate: stale — changed since the plan (fingerprint differs: active now, last login today)
	// map[applied:1 stale:1]
	// ann active: false
}

func ExampleReadSelection() {
	sel, err := actions.ReadSelection(strings.NewReader(`Username,Email
ann,
,bob@example.com
"cyd",cyd@example.com
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range sel.Rows {
		fmt.Println(r.Row, r.IDs)
	}
	_, err = actions.ReadSelection(strings.NewReader("username,phone\nann,555\n"))
	fmt.Println(err)
	// Output:
	// 2 map[username:ann]
	// 3 map[email:bob@example.com]
	// 4 map[email:cyd@example.com username:cyd]
	// actions: selection row 1, column 2: "phone" is not a column name (username, key, accountId, email), and a file without a header must have one column
}

func ExampleVerify() {
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s, c := exampleSite()
	p, _ := criteria.Compile(`active && daysSinceLastLogin > 90`, criteria.WithNow(func() time.Time { return at }))
	policies := []actions.Policy{{Name: "inactive", Select: p, Action: actions.Deactivate()}}
	req := actions.Requirements(jira.DataCenter, policies, actions.Exemptions{})
	me, _ := c.Myself(ctx)
	newPlan := func(id string) *actions.Plan {
		plan, _ := actions.NewPlan(ctx, c.Snapshot(ctx, req), policies, actions.PlanOptions{
			ID: id, Now: at, Flavor: jira.DataCenter, Site: "https://jira.example.com", Myself: me, Snapshot: req})
		return plan
	}
	proposed := newPlan("0197a1b2-0000-7000-8000-000000000003")
	// Someone edits the plan file: ann's deactivation becomes a delete,
	// and bob, who logged in two days ago, is added.
	proposed.Users[0].Steps[0] = actions.Step{Kind: actions.KindDelete}
	bob := proposed.Users[0]
	b, _ := s.User("bob")
	bob.User = actions.Identity{Name: b.Name, Key: b.Key}
	bob.Steps = []actions.Step{{Kind: actions.KindDeactivate}}
	proposed.Users = append(proposed.Users, bob)

	// At apply, the policies are planned again and the proposal checked:
	// cyd's deactivation is applied, ann's and bob's steps are refused.
	verified, refused, err := actions.Verify(proposed, newPlan("fresh"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range refused {
		fmt.Println(r.User.Name, r.Step, "→", r.Outcome, "—", r.Message)
	}
	run, _ := actions.Apply(ctx, c, verified, actions.ApplyOptions{RunID: "run"})
	fmt.Print(run.Summary())
	_, annExists := s.User("ann")
	fmt.Println("ann exists:", annExists)
	// Output:
	// ann delete → refused — not applied: the policies would not plan delete for this user now
	// bob deactivate → refused — not applied: the policies do not select this user now
	// Run of plan 0197a1b2-0000-7000-8000-000000000003: 1 steps: 1 applied
	// ann exists: true
}

// printMailer prints the mails it is given instead of sending them.
type printMailer struct{}

func (printMailer) Send(_ context.Context, m actions.Message) error {
	fmt.Printf("to %s: %s\n%s", strings.Join(m.To, ", "), m.Subject, m.Body)
	return nil
}

func ExampleNotify() {
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	_, c := exampleSite()
	warn, err := actions.Notify(actions.NotifySpec{
		Subject:      "Your Jira account will be deactivated on {{deadline}}",
		Body:         "Hello {{displayName}},\nyou last logged in {{daysSinceLastLogin}} days ago.\n",
		DeadlineDays: 30,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := criteria.Compile(`active && daysSinceLastLogin > 300`, criteria.WithNow(func() time.Time { return at }))
	policies := []actions.Policy{{Name: "warn", Select: p, Action: warn}}
	req := actions.Requirements(jira.DataCenter, policies, actions.Exemptions{})
	req.LastLogin = true
	me, _ := c.Myself(ctx)
	plan, _ := actions.NewPlan(ctx, c.Snapshot(ctx, req), policies, actions.PlanOptions{Now: at, Flavor: jira.DataCenter,
		Site: "https://jira.example.com", Myself: me, Snapshot: req})
	run, err := actions.Apply(ctx, c, plan, actions.ApplyOptions{Mailer: printMailer{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(run.Counts[actions.Applied], "sent")
	// Output:
	// to cyd@example.com: Your Jira account will be deactivated on 1 July 2026
	// Hello Cyd,
	// you last logged in 400 days ago.
	// 1 sent
}
