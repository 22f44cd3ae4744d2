package actions_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

var me = jira.User{Key: "JIRAUSER1", Name: "admin", Active: true, Groups: []string{"jira-administrators"}}

func dcOpts() actions.PlanOptions {
	return actions.PlanOptions{ID: "01970000-0000-7000-8000-00000000000a", Now: now, Flavor: jira.DataCenter,
		Site: "https://jira.example.com", Myself: me,
		Snapshot: jira.SnapshotOptions{Groups: []string{"alumni", "contractors", "jira-administrators",
			"jira-system-administrators", "staff", "vip"}, Licences: true}}
}

var everyone = actions.MatcherFunc(func(context.Context, *jira.User) (bool, error) { return true, nil })

func steps(ss []actions.Step) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.String())
	}
	return out
}

func TestActionPlans(t *testing.T) {
	t.Parallel()
	active := jira.User{Key: "K1", Name: "ann", Active: true, Groups: []string{"staff"}, Licences: []string{"jira-core", "jira-software"},
		Properties: map[string]json.RawMessage{"mark": json.RawMessage(`"x"`)}}
	inactive := jira.User{Key: "K2", Name: "bob", Groups: []string{}, Properties: map[string]json.RawMessage{}}
	tests := []struct {
		name        string
		action      actions.Action
		user        jira.User
		steps, noop []string
	}{
		{"deactivate", actions.Deactivate(), active, []string{"deactivate"}, nil},
		{"deactivate inactive", actions.Deactivate(), inactive, nil, []string{"deactivate"}},
		{"reactivate", actions.Reactivate(), inactive, []string{"reactivate"}, nil},
		{"reactivate active", actions.Reactivate(), active, nil, []string{"reactivate"}},
		{"delete", actions.Delete(), inactive, []string{"delete"}, nil},
		{"add groups", actions.AddToGroups("vip", "staff"), active, []string{"add-group vip"}, []string{"add-group staff"}},
		{"remove groups", actions.RemoveFromGroups("staff", "vip"), active, []string{"remove-group staff"}, []string{"remove-group vip"}},
		{"remove all licences", actions.RemoveAllLicences(), active, []string{"revoke-licence jira-core", "revoke-licence jira-software"}, nil},
		{"remove all licences none", actions.RemoveAllLicences(), inactive, nil, []string{"revoke-licence"}},
		{"revoke licence", actions.RevokeLicence("jira-core"), active, []string{"revoke-licence jira-core"}, nil},
		{"revoke licence absent", actions.RevokeLicence("jira-core"), inactive, nil, []string{"revoke-licence jira-core"}},
		{"grant licence", actions.GrantLicence("jira-core"), inactive, []string{"grant-licence jira-core"}, nil},
		{"reset password", actions.ResetPassword(""), active, []string{"reset-password"}, nil},
		{"invalidate sessions", actions.InvalidateSessions(), active, []string{"invalidate-sessions"}, nil},
		{"set property", actions.SetProperty("mark", "{{now}}"), inactive, []string{"set-property mark"}, nil},
		{"set property present", actions.SetProperty("mark", "{{now}}"), active, nil, []string{"set-property mark"}},
		{"set property same", actions.SetProperty("mark", "x"), active, nil, []string{"set-property mark"}},
		{"set property other", actions.SetProperty("mark", "y"), active, []string{"set-property mark"}, nil},
		{"delete property", actions.DeleteProperty("mark"), active, []string{"delete-property mark"}, nil},
		{"delete property absent", actions.DeleteProperty("mark"), inactive, nil, []string{"delete-property mark"}},
		{"issue", actions.CreateIssuePerUser(actions.IssueSpec{Project: "OPS", IssueType: "Task", Summary: "Offboard {{name}}"}), active, []string{"create-issue"}, nil},
		{"sequence", actions.Sequence(actions.Deactivate(), actions.RemoveFromGroups("staff")), active, []string{"remove-group staff", "deactivate"}, nil},
		{"when no", actions.When(actions.MatcherFunc(func(_ context.Context, u *jira.User) (bool, error) { return u.Name == "zed", nil }), actions.Deactivate()), active, nil, nil},
		{"when yes", actions.When(everyone, actions.Deactivate()), active, []string{"deactivate"}, nil},
		{"named", actions.Named("off", actions.Deactivate()), active, []string{"deactivate"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan, err := actions.NewPlan(t.Context(), seq(tt.user), []actions.Policy{{Name: "p", Select: everyone, Action: tt.action}}, dcOpts())
			require.NoError(t, err)
			if tt.steps == nil && tt.noop == nil {
				assert.Empty(t, plan.Users)
				return
			}
			require.Len(t, plan.Users, 1)
			assert.Equal(t, tt.steps, nilIfEmpty(steps(plan.Users[0].Steps)))
			assert.Equal(t, tt.noop, nilIfEmpty(steps(plan.Users[0].NoOps)))
			assert.Equal(t, len(tt.noop), plan.NoOps)
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestActionPlanDetails(t *testing.T) {
	t.Parallel()
	u := jira.User{Key: "K1", Name: "ann", DisplayName: "Ann", Active: true}
	plan, err := actions.NewPlan(t.Context(), seq(u), []actions.Policy{{Name: "p", Select: everyone, Action: actions.Sequence(
		actions.CreateIssuePerUser(actions.IssueSpec{Project: "OPS", IssueType: "Task", Summary: "Offboard {{displayName}} ({{policy}})"}),
		actions.SetProperty("by", map[string]string{"by": "{{user}}", "on": "{{now}}"}),
		actions.Delete())}}, dcOpts())
	require.NoError(t, err)
	require.Len(t, plan.Users, 1)
	assert.Equal(t, []string{"delete"}, steps(plan.Users[0].Steps), "delete alone")
	require.Len(t, plan.Conflicts, 1)
	assert.Equal(t, actions.ResolutionDeleteOnly, plan.Conflicts[0].Resolution)

	plan, err = actions.NewPlan(t.Context(), seq(u), []actions.Policy{{Name: "p", Select: everyone, Action: actions.Sequence(
		actions.CreateIssuePerUser(actions.IssueSpec{Project: "OPS", IssueType: "Task", Summary: "Offboard {{displayName}} ({{policy}})"}),
		actions.SetProperty("by", map[string]string{"by": "{{user}}", "on": "{{now}}"}))}}, dcOpts())
	require.NoError(t, err)
	ss := plan.Users[0].Steps
	require.Len(t, ss, 2)
	assert.Equal(t, "Offboard Ann (p)", ss[1].Issue.Summary)
	assert.JSONEq(t, `{"by":"K1","on":"{{now}}"}`, string(ss[0].Value), "user placeholders filled when planning, time ones when applying")

	cloud := dcOpts()
	cloud.Flavor = jira.Cloud
	cloud.Myself = jira.User{AccountID: "me"}
	cloud.Snapshot.Groups = actions.ProtectedGroups(jira.Cloud)
	_, err = actions.NewPlan(t.Context(), seq(jira.User{AccountID: "a1", Active: true}),
		[]actions.Policy{{Name: "p", Select: everyone, Action: actions.ResetPassword("")}}, cloud)
	assert.ErrorIs(t, err, jira.ErrUnsupported)
}

func TestExemptions(t *testing.T) {
	t.Parallel()
	users := []jira.User{
		me,
		{Key: "K2", Name: "Bob", Email: "Bob@Example.com", Active: true},
		{Key: "K3", Name: "carol", Active: true, Groups: []string{"vip"}},
		{Key: "K4", Name: "dave", Active: true, Groups: []string{"jira-system-administrators"}},
		{Key: "K5", Name: "erin", Active: true, Groups: []string{"jira-administrators"}},
		{Key: "K6", Name: "frank", Active: true, Groups: []string{"payroll-admins"}},
		{Key: "K7", Name: "grace", Active: true, AccountType: jira.AccountApp},
		{Key: "K8", Name: "heidi", Active: true, Email: "heidi@contractor.example"},
		{Key: "K9", Name: "ivan", Active: true},
		{Key: "K10", Name: "judy", Active: true},
		{Key: "K11", Name: "ken", Active: true, Groups: []string{"contractors"}},
	}
	contractor := actions.MatcherFunc(func(_ context.Context, u *jira.User) (bool, error) {
		return strings.HasSuffix(u.Email, "@contractor.example"), nil
	})
	p := actions.Policy{Name: "off", Select: everyone, Action: actions.Deactivate(), Exemptions: actions.Exemptions{
		Users: []actions.Entry{{Value: "bob@example.com"}, {Value: "K9", Reason: "on leave"},
			{Value: "JUDY", Until: now.Add(-time.Hour)}},
		Groups: []actions.Entry{{Value: "vip"}, {Value: "contractors", Until: now.Add(time.Hour)}},
		Rules:  []actions.Rule{{Name: "contractors by email", Matcher: contractor}},
	}}
	plan, err := actions.NewPlan(t.Context(), seq(users...), []actions.Policy{p}, dcOpts())
	require.NoError(t, err)
	got := map[string]string{}
	for _, x := range plan.Exempt {
		got[x.User.Name] = x.Reason
	}
	assert.Equal(t, map[string]string{
		"admin": "protected: the account the tool runs as",
		"Bob":   "exempt user bob@example.com",
		"carol": "member of exempt group vip",
		"dave":  "protected: member of administrators group jira-system-administrators",
		"erin":  "protected: member of administrators group jira-administrators",
		"frank": "protected: member of administrators group payroll-admins",
		"grace": "protected: app account",
		"heidi": "exemption rule contractors by email",
		"ivan":  "exempt user K9 (on leave)",
		"ken":   "member of exempt group contractors until 2026-06-01T13:00:00Z",
	}, got)
	require.Len(t, plan.Users, 1)
	assert.Equal(t, "judy", plan.Users[0].User.Name, "an expired exemption no longer applies")

	// Without the administrators groups in the snapshot, planning refuses.
	opts := dcOpts()
	opts.Snapshot.Groups = []string{"vip", "contractors"}
	_, err = actions.NewPlan(t.Context(), seq(users...), []actions.Policy{p}, opts)
	require.ErrorIs(t, err, actions.ErrIncompleteSnapshot)
	assert.ErrorContains(t, err, "membership of group jira-administrators")
	opts = dcOpts()
	opts.Myself = jira.User{}
	_, err = actions.NewPlan(t.Context(), seq(users...), []actions.Policy{p}, opts)
	assert.ErrorContains(t, err, "Myself is required")
}

func TestExemptionEntryJSON(t *testing.T) {
	t.Parallel()
	var x actions.Exemptions
	require.NoError(t, json.Unmarshal([]byte(`{"users":["alice",{"value":"bob","until":"2026-07-01T00:00:00Z","reason":"leave"}],"groups":["vip"]}`), &x))
	assert.Equal(t, []actions.Entry{{Value: "alice"}, {Value: "bob", Until: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Reason: "leave"}}, x.Users)
	assert.Equal(t, actions.Entries("vip"), x.Groups)
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	u := jira.User{Key: "K1", Name: "ann", Active: true, Groups: []string{"staff"}, Licences: []string{"jira-software"}}
	tests := []struct {
		name       string
		a, b       actions.Action
		steps      []string
		rule, res  string
		noConflict bool
	}{
		{"add and remove", actions.AddToGroups("vip"), actions.RemoveFromGroups("vip"), nil, actions.RuleAddRemoveGroup, actions.ResolutionRefused, false},
		{"remove and add intent", actions.AddToGroups("staff"), actions.RemoveFromGroups("staff"), nil, actions.RuleAddRemoveGroup, actions.ResolutionRefused, false},
		{"grant and revoke", actions.GrantLicence("jira-software"), actions.RevokeLicence("jira-software"), nil, actions.RuleGrantRevoke, actions.ResolutionRefused, false},
		{"reactivate and deactivate", actions.Reactivate(), actions.Deactivate(), nil, actions.RuleActivate, actions.ResolutionRefused, false},
		{"two values", actions.SetProperty("k", 1), actions.SetProperty("k", 2), nil, actions.RuleProperty, actions.ResolutionRefused, false},
		{"delete wins", actions.Delete(), actions.RemoveFromGroups("staff"), []string{"delete"}, actions.RuleDelete, actions.ResolutionDeleteOnly, false},
		{"deactivate drops grant", actions.Deactivate(), actions.GrantLicence("jira-core"), []string{"deactivate"}, actions.RuleDeactivateGrant, actions.ResolutionNoGrant, false},
		{"duplicates merged", actions.Sequence(actions.Deactivate(), actions.RemoveFromGroups("staff")), actions.Deactivate(), []string{"remove-group staff", "deactivate"}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan, err := actions.NewPlan(t.Context(), seq(u), []actions.Policy{
				{Name: "a", Select: everyone, Action: tt.a}, {Name: "b", Select: everyone, Action: tt.b}}, dcOpts())
			require.NoError(t, err)
			require.Len(t, plan.Users, 1)
			up := plan.Users[0]
			assert.Equal(t, []string{"a", "b"}, up.Policies)
			assert.Equal(t, tt.steps, nilIfEmpty(steps(up.Steps)))
			if tt.noConflict {
				assert.Empty(t, plan.Conflicts)
				return
			}
			require.Len(t, plan.Conflicts, 1)
			c := plan.Conflicts[0]
			assert.Equal(t, tt.rule, c.Rule)
			assert.Equal(t, tt.res, c.Resolution)
			assert.Equal(t, []string{"a", "b"}, c.Policies)
		})
	}
}

func TestPlanJSONStable(t *testing.T) {
	t.Parallel()
	var users []jira.User
	for _, s := range people(50) {
		u := jira.User{Key: "JIRAUSER" + s.Name[4:], Name: s.Name, Email: s.Email, Active: s.Name != "user0007",
			Groups: s.Groups, Licences: s.Licences, LastLogin: jira.NeverLoggedIn()}
		if !s.LastLogin.IsZero() {
			u.LastLogin = jira.LoggedInAt(s.LastLogin)
		}
		users = append(users, u)
	}
	policies := func() []actions.Policy {
		return []actions.Policy{
			{Name: "stale", Select: crit(t, `active && daysSinceLastLogin > 30`), Action: actions.Sequence(actions.RemoveAllLicences(), actions.Deactivate()),
				Limits: actions.Limits{MaxPercent: 80}},
			{Name: "never", Select: crit(t, `neverLoggedIn`), Action: actions.AddToGroups("alumni"),
				Exemptions: actions.Exemptions{Users: actions.Entries("user0010")}},
		}
	}
	a, err := actions.NewPlan(t.Context(), seq(users...), policies(), dcOpts())
	require.NoError(t, err)
	slicesReverse(users)
	b, err := actions.NewPlan(t.Context(), seq(users...), policies(), dcOpts())
	require.NoError(t, err)
	ja, err := json.MarshalIndent(a, "", "  ")
	require.NoError(t, err)
	jb, err := json.MarshalIndent(b, "", "  ")
	require.NoError(t, err)
	assert.Equal(t, string(ja), string(jb), "same inputs in another order give the same bytes")
	var back actions.Plan
	require.NoError(t, json.Unmarshal(ja, &back))
	jc, err := json.MarshalIndent(&back, "", "  ")
	require.NoError(t, err)
	assert.Equal(t, string(ja), string(jc), "a plan survives a round trip")
	assert.Equal(t, a.Summary(), back.Summary())
	assert.Contains(t, a.Summary(), "Steps: revoke-licence")
	assert.Equal(t, "01970000-0000-7000-8000-00000000000a", a.ID)
	assert.Len(t, a.Policies, 2)
	assert.True(t, strings.HasPrefix(a.Policies[0].Hash, "sha256:"))
	require.NotEmpty(t, a.Users)
	assert.Equal(t, "neverLoggedIn: true ✓", a.Users[0].Why[0].Explanation)
	for _, u := range a.Users {
		if u.User.Name == "user0032" {
			assert.Equal(t, []actions.Reason{{Policy: "stale", Explanation: "active: true ✓; daysSinceLastLogin > 30: 31 > 30 ✓"}}, u.Why)
		}
	}
}

func slicesReverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func TestReadSelection(t *testing.T) {
	t.Parallel()
	sel, err := actions.ReadSelection(strings.NewReader("Email,Username\nann@example.com,\n,bob\n\n,\n"))
	require.NoError(t, err)
	require.Len(t, sel.Rows, 2)
	assert.Equal(t, 2, sel.Rows[0].Row)
	assert.Equal(t, map[actions.IDKind]string{actions.ByEmail: "ann@example.com"}, sel.Rows[0].IDs)
	assert.Equal(t, map[actions.IDKind]string{actions.ByUsername: "bob"}, sel.Rows[1].IDs)
	require.Len(t, sel.Problems, 1)
	assert.Equal(t, "row 5: no identifier", sel.Problems[0].String())

	sel, err = actions.ReadSelection(strings.NewReader("ann@example.com\n712020:0e1c2f4a-1111-2222-3333-444455556666\n5b10ac8d82e05b22cc7d4ef5\nbob\n"))
	require.NoError(t, err)
	var kinds []actions.IDKind
	for _, r := range sel.Rows {
		for k := range r.IDs {
			kinds = append(kinds, k)
		}
	}
	assert.Equal(t, []actions.IDKind{actions.ByEmail, actions.ByAccountID, actions.ByAccountID, actions.ByUsername}, kinds)

	for _, tt := range []struct{ in, err string }{
		{"alice,bob\n", `actions: selection row 1, column 1: "alice" is not a column name`},
		{"email,phone\n", `actions: selection row 1, column 2: "phone" is not a column name`},
		{"username\nann\nbob,extra\n", "actions: selection row 3, column 2: 2 values but the header names 1 columns"},
		{"username,email\nann,\"x\n", "actions: selection row 2, column 8: extraneous or missing \" in quoted-field"},
	} {
		_, err := actions.ReadSelection(strings.NewReader(tt.in))
		assert.ErrorContains(t, err, tt.err, tt.in)
	}
}

func TestSelectionPlan(t *testing.T) {
	t.Parallel()
	users := []jira.User{
		me,
		{Key: "K2", Name: "ann", Email: "ann@example.com", Active: true},
		{Key: "K3", Name: "bob", Email: "shared@example.com", Active: true},
		{Key: "K4", Name: "cy", Email: "shared@example.com", Active: true},
		{Key: "K5", Name: "dee", Email: "dee@example.com", Active: false},
		{Key: "K6", Name: "eve", Email: "eve@example.com", Active: true},
	}
	sel, err := actions.ReadSelection(strings.NewReader("username,email\nann,\n,ANN@example.com\nzed,\n,shared@example.com\ndee,\neve,\n"))
	require.NoError(t, err)
	active := actions.MatcherFunc(func(_ context.Context, u *jira.User) (bool, error) { return u.Name != "eve", nil })
	plan, err := actions.NewPlan(t.Context(), seq(users...), []actions.Policy{{Name: "csv", Selection: sel, Select: active, Action: actions.Deactivate()}}, dcOpts())
	require.NoError(t, err)
	var got []string
	for _, p := range plan.Problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		"row 3 (ANN@example.com): duplicate of row 2",
		"row 4 (zed): unknown user",
		"row 5 (shared@example.com): ambiguous: matches 2 users (K3, K4)",
	}, got)
	var names []string
	for _, u := range plan.Users {
		names = append(names, u.User.Name+":"+strings.Join(steps(u.Steps), ","))
	}
	assert.Equal(t, []string{"ann:deactivate", "dee:"}, names, "eve is not matched by the criterion; bob and cy are ambiguous")
	assert.Equal(t, "selection row 2, 3; matched actions.MatcherFunc", plan.Users[0].Why[0].Explanation)
}
