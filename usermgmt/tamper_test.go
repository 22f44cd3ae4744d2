package usermgmt_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// writes counts the requests to the fake that are not reads.
func writes(fake *jiratest.Server) []string {
	var out []string
	for _, r := range fake.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead &&
			// Cloud's Admin API searches users with a POST.
			!(r.Method == http.MethodPost && r.Route == "POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search") {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// clone copies a plan through JSON, as a plan file does.
func clone(t *testing.T, p *actions.Plan) *actions.Plan {
	t.Helper()
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var out actions.Plan
	require.NoError(t, json.Unmarshal(b, &out))
	return &out
}

// firstUser keeps only the plan's first user with a step of kind: a plan
// that does less than it could is still a plan of its policies.
func firstUser(t *testing.T, p *actions.Plan, kind actions.StepKind) *actions.Plan {
	t.Helper()
	i := slices.IndexFunc(p.Users, func(u actions.UserPlan) bool {
		return slices.ContainsFunc(u.Steps, func(s actions.Step) bool { return s.Kind == kind })
	})
	require.GreaterOrEqual(t, i, 0, "no user with a %s step", kind)
	out := clone(t, p)
	out.Users = out.Users[i : i+1]
	return out
}

// userWhere returns a user of the fake for which ok holds.
func userWhere(t *testing.T, fake *jiratest.Server, ok func(u jira.User) bool) jira.User {
	t.Helper()
	for _, u := range fake.Users() {
		if ok(u) {
			return u
		}
	}
	t.Fatal("no such user in the fake")
	return jira.User{}
}

func identity(u jira.User) actions.Identity {
	return actions.Identity{Key: u.Key, Name: u.Name, AccountID: u.AccountID, Email: u.Email, DisplayName: u.DisplayName}
}

// TestTamperedPlans edits a plan the way a person with the plan file
// could, and applies it: every tampering is refused, and the fake
// receives no write at all.
func TestTamperedPlans(t *testing.T) {
	t.Parallel()
	isAdmin := func(u jira.User) bool { return u.Active && slices.Contains(u.Groups, "jira-administrators") }
	recent := func(u jira.User) bool {
		at := u.LastLogin.Time
		return u.Active && u.LastLogin.Known && !at.IsZero() && mgrNow.Sub(at) < 15*24*time.Hour && !isAdmin(u)
	}
	cases := []struct {
		name   string
		limit  int
		tamper func(t *testing.T, fake *jiratest.Server, p *actions.Plan) *actions.Plan
		// whole: the plan is refused as a whole (an error), else its
		// steps are refused in the run.
		whole   error
		message string
	}{
		{name: "empty fingerprint", tamper: func(t *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			p.Users[0].Fingerprint = ""
			return p
		}, message: "no fingerprint"},
		{name: "deactivate turned into delete", tamper: func(t *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			p.Users[0].Steps = []actions.Step{{Kind: actions.KindDelete}}
			return p
		}, message: "would not plan delete"},
		{name: "empty fingerprint and delete", tamper: func(t *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			p.Users[0].Fingerprint = ""
			p.Users[0].Steps = []actions.Step{{Kind: actions.KindDelete}}
			return p
		}, message: "would not plan delete"},
		{name: "administrators group added", tamper: func(t *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			p.Users[0].Steps = []actions.Step{{Kind: actions.KindAddGroup, Group: "jira-administrators"}}
			return p
		}, message: "would not plan add-group jira-administrators"},
		{name: "limit zeroed", limit: 3, tamper: func(_ *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			for i := range p.Limits {
				p.Limits[i].MaxUsers, p.Limits[i].MaxPercent = 0, 0
			}
			return p
		}, whole: actions.ErrLimitExceeded},
		{name: "policies removed", tamper: func(_ *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p.Policies = nil
			return p
		}, whole: actions.ErrPlanMismatch},
		{name: "policy hash changed", tamper: func(_ *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p.Policies[0].Hash = "sha256:0000"
			return p
		}, whole: actions.ErrPlanMismatch},
		{name: "policy renamed", tamper: func(_ *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p.Policies[0].Name = "lenient"
			return p
		}, whole: actions.ErrPlanMismatch},
		{name: "site removed", tamper: func(_ *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p.Site = ""
			return p
		}, whole: actions.ErrPlanMismatch},
		{name: "site changed", tamper: func(_ *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p.Site = "https://other.example.com"
			return p
		}, whole: actions.ErrPlanMismatch},
		{name: "protected user added", tamper: func(t *testing.T, fake *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			admin := userWhere(t, fake, isAdmin)
			up := p.Users[0]
			up.User, up.Fingerprint = identity(admin), actions.Fingerprint(&admin, p.Finger)
			p.Users = []actions.UserPlan{up}
			return p
		}, message: "not applied: "},
		{name: "user who logged in recently added", tamper: func(t *testing.T, fake *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			u := userWhere(t, fake, recent)
			up := p.Users[0]
			up.User, up.Fingerprint = identity(u), actions.Fingerprint(&u, p.Finger)
			p.Users = []actions.UserPlan{up}
			return p
		}, message: "the policies do not select this user now"},
		{name: "identity of an administrator under a planned key", tamper: func(t *testing.T, fake *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			admin := userWhere(t, fake, isAdmin)
			p.Users[0].User.Name = admin.Name // DC refs by key first: the write goes to the user fresh names
			p.Users[0].User.Key = admin.Key
			return p
		}, message: "not applied: "},
		{name: "user listed twice", tamper: func(t *testing.T, _ *jiratest.Server, p *actions.Plan) *actions.Plan {
			p = firstUser(t, p, actions.KindDeactivate)
			p.Users = append(p.Users, p.Users[0])
			p.Users[1].Steps = []actions.Step{{Kind: actions.KindDelete}}
			return p
		}, message: "the plan lists the user twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dc := newFake(t, jira.DataCenter, 120)
			limit := 1000
			if tc.limit > 0 {
				limit = tc.limit
			}
			m := newManager(t, parse(t, fmt.Sprintf(inactivePolicy, limit)), fakes{"dc": dc}, nil)
			plan, _, err := m.Plan(t.Context(), "inactive")
			require.NoError(t, err)
			require.Greater(t, len(plan.Users), 3)
			if tc.limit > 0 {
				require.ErrorIs(t, plan.CheckLimits(), actions.ErrLimitExceeded, "the plan as made is over its limit")
			}
			bad := tc.tamper(t, dc, clone(t, plan))
			dc.ResetStats()
			run, err := m.Apply(t.Context(), bad, usermgmt.ApplyOptions{})
			if tc.whole != nil {
				require.ErrorIs(t, err, tc.whole)
				assert.True(t, usermgmt.Refused(err), "a refusal, exit code 3")
			} else {
				require.NoError(t, err)
				require.NotNil(t, run)
				assert.Zero(t, run.Counts[actions.Applied], run.Summary())
				require.NotZero(t, run.Counts[actions.Refused], run.Summary())
				for _, r := range run.Results {
					assert.Equal(t, actions.Refused, r.Outcome, r.StepID)
					assert.Contains(t, r.Message, tc.message)
				}
			}
			assert.Empty(t, writes(dc), "no write reaches Jira")
		})
	}
}

// TestTamperedPlanOfAnApprovalPolicy: a plan of a policy with an approval
// whose policies were removed, or whose approval issue is another one,
// writes nothing to users.
func TestTamperedPlanOfAnApprovalPolicy(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 120)
	org := genOrg(120)
	f := parse(t, `policies:
  - name: inactive
    site: dc
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: deactivate}]
    approval: {project: `+org.Projects[0].Key+`, issueType: Task}
`)
	m := newManager(t, f, fakes{"dc": dc}, nil)
	plan, _, err := m.Plan(t.Context(), "inactive")
	require.NoError(t, err)
	ids := planned(plan, actions.KindDeactivate)
	require.NotEmpty(t, ids)

	// A plan still waiting for its approval costs one read, no snapshot.
	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{})
	var ae *usermgmt.ApprovalRequiredError
	require.ErrorAs(t, err, &ae)
	dc.ResetStats()
	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{ApprovalIssue: ae.IssueKey})
	require.ErrorAs(t, err, &ae)
	var routes []string
	for _, r := range dc.Requests() {
		routes = append(routes, r.Route)
	}
	assert.Len(t, routes, 1, "only the issue is read: %v", routes)

	bare := clone(t, plan)
	bare.Policies = nil
	_, err = m.Apply(t.Context(), bare, usermgmt.ApplyOptions{})
	require.ErrorIs(t, err, actions.ErrPlanMismatch)

	// Another approved issue is not this plan's approval.
	c, err := usermgmt.Connect(t.Context(), fakeSite(dc))
	require.NoError(t, err)
	other, err := c.CreateIssue(t.Context(), jira.IssueRequest{Project: org.Projects[0].Key, IssueType: "Task", Summary: "unrelated"})
	require.NoError(t, err)
	require.NoError(t, dc.Transition(other.Key, "Approve"))
	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{ApprovalIssue: other.Key})
	require.ErrorIs(t, err, usermgmt.ErrNotApprovalIssue)
	assert.Equal(t, len(ids), activeCount(dc, ids), "nothing applied")
}

// TestNonDestructiveStepsAreChecked: a user promoted to administrator
// after the plan is not added to a group (a non-destructive step).
func TestNonDestructiveStepsAreChecked(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 120)
	require.NoError(t, dc.AddGroup("alumni"))
	m := newManager(t, parse(t, `policies:
  - name: alumni
    site: dc
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: addGroups, groups: [alumni]}]
`), fakes{"dc": dc}, nil)
	plan, _, err := m.Plan(t.Context(), "alumni")
	require.NoError(t, err)
	plan = firstUser(t, plan, actions.KindAddGroup)
	c, err := usermgmt.Connect(t.Context(), fakeSite(dc))
	require.NoError(t, err)
	ref, _ := plan.Users[0].User.Ref(jira.DataCenter)
	require.NoError(t, c.AddToGroup(t.Context(), ref, "jira-administrators"))
	dc.ResetStats()
	run, err := m.Apply(t.Context(), plan, usermgmt.ApplyOptions{})
	require.NoError(t, err)
	assert.Zero(t, run.Counts[actions.Applied], run.Summary())
	assert.Empty(t, writes(dc))
}

// TestUndoBoundToSite: a journal of a run on one site is not undone on
// another; undone once, a second undo is "already undone" and writes
// nothing.
func TestUndoBoundToSite(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 120)
	m := newManager(t, parse(t, fmt.Sprintf(inactivePolicy, 1000)), fakes{"dc": dc}, nil)
	journal := t.TempDir() + "/run.journal"
	plan, run, err := m.Run(t.Context(), usermgmt.RunOptions{Policies: []string{"inactive"}, Apply: true, Journal: journal})
	require.NoError(t, err)
	require.NotZero(t, run.Counts[actions.Applied])
	ids := planned(plan, actions.KindDeactivate)

	other, err := usermgmt.New(usermgmt.Config{Site: usermgmt.Site{Name: "dc", URL: "https://b.example.com"},
		Connect: fakes{"dc": dc}.connect, Now: func() time.Time { return mgrNow }})
	require.NoError(t, err)
	dc.ResetStats()
	_, _, err = other.Undo(t.Context(), usermgmt.UndoOptions{Journal: journal, Apply: true})
	require.ErrorContains(t, err, "the journal is of a run on https://dc.example.com, not https://b.example.com")
	assert.Empty(t, writes(dc))

	_, urun, err := m.Undo(t.Context(), usermgmt.UndoOptions{Journal: journal, Apply: true})
	require.NoError(t, err)
	assert.Equal(t, len(ids), urun.Counts[actions.Applied])
	assert.Equal(t, len(ids), activeCount(dc, ids))
	dc.ResetStats()
	_, _, err = m.Undo(t.Context(), usermgmt.UndoOptions{Journal: journal, Apply: true})
	require.ErrorIs(t, err, usermgmt.ErrAlreadyUndone)
	assert.Empty(t, writes(dc))
}

// TestVerificationTakesAFreshSnapshot: with SnapshotMaxAge, plans may
// share a recent snapshot, but apply verifies against a new one.
func TestVerificationTakesAFreshSnapshot(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 120)
	m := newManager(t, parse(t, fmt.Sprintf(inactivePolicy, 1000)), fakes{"dc": dc}, func(c *usermgmt.Config) {
		c.SnapshotMaxAge = time.Hour
	})
	plan, _, err := m.Plan(t.Context(), "inactive")
	require.NoError(t, err)
	lists := dc.Count("GET /rest/api/2/user/list") // the pages of one snapshot
	require.Positive(t, lists)
	_, _, err = m.Plan(t.Context(), "inactive")
	require.NoError(t, err)
	require.Equal(t, lists, dc.Count("GET /rest/api/2/user/list"), "the second plan shares the first's snapshot")
	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{})
	require.NoError(t, err)
	assert.Greater(t, dc.Count("GET /rest/api/2/user/list"), lists, "apply reads the users again")
}
