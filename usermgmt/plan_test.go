package usermgmt_test

import (
	"encoding/json"
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

// TestPlanExamples plans every policy of the lifecycle example on a fake
// through package actions: the bridge phase 2's Manager builds on.
func TestPlanExamples(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f, err := usermgmt.Load("../examples/policies/lifecycle.yaml", usermgmt.WithLookupEnv(lookup),
		usermgmt.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	var policies []actions.Policy
	for _, p := range f.Policies() {
		ap, err := f.ActionsPolicy(p.Name)
		require.NoError(t, err)
		policies = append(policies, ap)
	}
	common, err := f.CommonExemptions()
	require.NoError(t, err)
	// The optional Cloud group, which a Manager drops on DC (sitecheck.go).
	common.Groups = slices.DeleteFunc(common.Groups, func(e actions.Entry) bool { return e.Value == "site-admins" })
	opts := f.SnapshotOptions(jira.DataCenter, policies, common)
	assert.True(t, opts.LastLogin)
	assert.Contains(t, opts.Properties, "seatwarden.warned")
	assert.Contains(t, opts.Groups, "jira-administrators")

	// Half the users were warned 90 days ago.
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: 300, Now: now})
	for i := range org.Users {
		if i%2 == 0 {
			org.Users[i].Properties = map[string]json.RawMessage{"seatwarden.warned": json.RawMessage(`"2025-12-01T06:00:00Z"`)}
		}
	}
	fake := jiratest.New(jiratest.WithOrg(org))
	c, err := usermgmt.Connect(t.Context(), usermgmt.Site{URL: fake.URL, Flavor: jira.DataCenter, Transport: fake.Transport(),
		Token: jira.Secret(fake.Credentials().DCToken), RateLimit: 100_000, Burst: 1000})
	require.NoError(t, err)
	me, err := c.Myself(t.Context())
	require.NoError(t, err)
	plan, err := actions.NewPlan(t.Context(), c.Snapshot(t.Context(), opts), policies,
		actions.PlanOptions{ID: "test", Now: now, Flavor: jira.DataCenter, Myself: me, Snapshot: opts, Exemptions: common})
	require.NoError(t, err)
	require.NotEmpty(t, plan.Users, plan.Summary())
	assert.Empty(t, plan.Conflicts, "the stages do not contradict each other")
	kinds := map[actions.StepKind]bool{}
	for _, up := range plan.Users {
		for _, s := range up.Steps {
			kinds[s.Kind] = true
		}
	}
	assert.True(t, kinds[actions.KindDeactivate], "warned users inactive for over 120 days are deactivated")
	assert.True(t, kinds[actions.KindNotify], "users inactive for over 60 days are warned by email")
	assert.True(t, kinds[actions.KindSetProperty], "and marked")
	assert.True(t, kinds[actions.KindRevokeLicence], "warned users inactive for over 90 days lose their licences")
	assert.True(t, kinds[actions.KindDeleteProperty], "warned users who came back lose the mark")

	_, err = f.ActionsPolicy("nope")
	assert.EqualError(t, err, `usermgmt: no policy "nope"`)
}
