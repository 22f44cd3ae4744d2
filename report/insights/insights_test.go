package insights_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/insights"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

func TestLevelAtReconstructs(t *testing.T) {
	t.Parallel()
	us := users()
	assert.Equal(t, insights.Level{Week: t0, Recent: 2, NotRecent: 1, Never: 1}, insights.LevelAt(us, t0, 90))
	// 300 days ago: carol did not exist, dave (inactive, last login 400 days
	// ago) is left out, and alice, bob and erin logged in later.
	past := t0.AddDate(0, 0, -300)
	assert.Equal(t, insights.Level{Week: past, Recent: 3}, insights.LevelAt(us, past, 90))
	// 30 days: alice and erin are not recent users any more.
	assert.Equal(t, insights.Level{Week: t0, Recent: 1, NotRecent: 2, Never: 1}, insights.LevelAt(us, t0, 30))
}

func TestLevelsPreferHistory(t *testing.T) {
	t.Parallel()
	h := report.SnapshotSummary{Day: t0.AddDate(0, 0, -1), Active: 1234, NeverLoggedIn: 56, LoginUnknown: 4,
		LastLogin: map[string]int{"d0_30": 700, "d31_90": 111, "d91_180": 300}}
	ls := insights.Levels(users(), []report.SnapshotSummary{h}, t0.AddDate(0, 0, -21), t0, 90)
	require.Len(t, ls, 4)
	assert.False(t, ls[0].FromHistory)
	assert.Equal(t, insights.Level{Week: t0, Recent: 811, NotRecent: 363, Never: 56, Unknown: 4, FromHistory: true}, ls[3])
	assert.Equal(t, 1234, ls[3].Active())
}

func TestTierDrop(t *testing.T) {
	t.Parallel()
	var us []jira.User
	plan := &actions.Plan{}
	for i := range 950 {
		u := jira.User{AccountID: "acc-" + string(rune('a'+i%26)) + time.Duration(i).String(), Active: true, Licences: []string{"jira-software"}}
		us = append(us, u)
		if i < 212 {
			plan.Users = append(plan.Users, actions.UserPlan{User: actions.Identity{AccountID: u.AccountID},
				Steps: []actions.Step{{Kind: actions.KindDeactivate}}})
		}
	}
	ls := insights.LicenceUses([]insights.Seats{{Application: "jira-software", Used: 950, Limit: 1000}}, us, plan, insights.CloudTiers())
	require.Len(t, ls, 1)
	l := ls[0]
	assert.Equal(t, insights.LicenceUse{Application: "jira-software", Used: 950, Limit: 1000, Tier: 1000, Headroom: 50,
		Freed: 212, UsedAfter: 738, TierAfter: 800, Indicative: true}, l)
	assert.True(t, l.Drops())
	assert.Equal(t, "Deactivating these 212 users drops jira-software from the 1,000-user tier to the 800-user tier. (Indicative tiers: check your quote.)", l.Sentence())

	// Seats counted from the users when the site's are not given; a
	// revoked licence frees a seat too.
	plan.Users = plan.Users[:3]
	plan.Users[0].Steps = []actions.Step{{Kind: actions.KindRevokeLicence, Licence: "jira-software"}}
	ls = insights.LicenceUses(nil, us, plan, insights.DataCenterTiers())
	assert.Equal(t, "Deactivating or unlicensing these 3 users leaves jira-software in the 1,000-user tier, with 53 seats to spare. (Indicative tiers: check your quote.)", ls[0].Sentence())
	assert.Equal(t, 1000, insights.CloudTiers().For(1000))
	assert.Equal(t, 1200, insights.CloudTiers().For(1001))
	assert.Equal(t, 0, insights.DataCenterTiers().For(60000))
}

func TestSimulate(t *testing.T) {
	t.Parallel()
	sim, err := insights.Simulate(t.Context(), users(), reporttest.InactiveFor(90), t0)
	require.NoError(t, err)
	require.Len(t, sim.Points, 53)
	assert.Equal(t, t0, sim.Points[52].Week)
	// alice (last login 214 days ago) goes 90 days after it; nobody else.
	assert.Equal(t, 1, sim.Deactivated)
	last := sim.Points[52]
	assert.Equal(t, insights.SimPoint{Week: t0, Actual: 4, WithPolicy: 3}, last)
	for _, p := range sim.Points {
		assert.LessOrEqual(t, p.WithPolicy, p.Actual)
		if p.Week.Before(t0.AddDate(0, 0, -214+90)) {
			assert.Equal(t, p.Actual, p.WithPolicy, "before alice was 90 days inactive: %s", p.Week)
		}
	}
}

// TestTierTablesAreCopies checks that the built-in tables cannot be
// changed through what the package returns.
func TestTierTablesAreCopies(t *testing.T) {
	t.Parallel()
	c := insights.CloudTiers()
	c.Tiers[0] = 1
	assert.Equal(t, 10, insights.CloudTiers().For(1))
	d := insights.TiersFor(jira.DataCenter)
	d.Tiers[0] = 1
	assert.Equal(t, 500, insights.DataCenterTiers().For(1))
}
