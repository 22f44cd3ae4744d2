package usermgmt_test

import (
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

	fake := jiratest.New(jiratest.WithOrg(jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: 300, Now: now})))
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
	assert.True(t, kinds[actions.KindDeactivate], "users inactive for over 120 days are deactivated")
	assert.True(t, kinds[actions.KindSetProperty], "users inactive for 60 to 120 days are warned")
	assert.True(t, kinds[actions.KindRevokeLicence], "users inactive for over 90 days lose their licences")

	_, err = f.ActionsPolicy("nope")
	assert.EqualError(t, err, `usermgmt: no policy "nope"`)
}
