package insights_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report/insights"
)

// TestBuiltInTiers: the tables follow the cited sources (DC's first tier
// is 500; Cloud has 11–15, 16–25, 51–100, 201–300 and no 20, 30–45, 75 or
// 250 tiers) and are marked indicative.
func TestBuiltInTiers(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 500, insights.DataCenterTiers().For(1))
	assert.Equal(t, 500, insights.DataCenterTiers().For(50))
	assert.Equal(t, 1000, insights.DataCenterTiers().For(501))
	for users, tier := range map[int]int{11: 15, 16: 25, 20: 25, 30: 50, 45: 50, 51: 100, 75: 100, 201: 300, 250: 300} {
		assert.Equal(t, tier, insights.CloudTiers().For(users), "%d users", users)
	}
	for _, f := range []jira.Flavor{jira.DataCenter, jira.Cloud} {
		tt := insights.TiersFor(f)
		assert.True(t, tt.Indicative, f)
		assert.Contains(t, tt.Name, "indicative")
		_, err := insights.NewTierTable(tt.Name, tt.Tiers)
		require.NoError(t, err, "%v's table is ascending", f)
	}
}

// TestOwnTierTable: a table of one's own is not indicative and replaces
// the built-in one; bad tables are refused with the item at fault.
func TestOwnTierTable(t *testing.T) {
	t.Parallel()
	own, err := insights.ParseTierTable("our contract", "250, 1_000, 2500")
	require.NoError(t, err)
	assert.False(t, own.Indicative)
	ls := insights.LicenceUses([]insights.Seats{{Application: "jira-software", Used: 240}}, nil, nil, own)
	require.Len(t, ls, 1)
	assert.Equal(t, 250, ls[0].Tier)
	assert.False(t, ls[0].Indicative)
	assert.NotContains(t, ls[0].Sentence(), "Indicative")
	ls = insights.LicenceUses([]insights.Seats{{Application: "jira-software", Used: 240}}, nil, nil, insights.DataCenterTiers())
	assert.Equal(t, 500, ls[0].Tier)
	assert.Contains(t, ls[0].Sentence(), "Indicative tiers")

	for list, want := range map[string]string{
		"":             `item 1 ("") is not a number`,
		"100, x":       `item 2 ("x") is not a number`,
		"100, 50":      "tier 2 (50) is not above tier 1 (100)",
		"0, 10":        "tier 1 (0) is not a positive number",
		"10, 10":       "tier 2 (10) is not above tier 1 (10)",
		"10,, 20":      `item 2 ("") is not a number`,
		"-5":           "tier 1 (-5) is not a positive number",
		"1000, 2_000x": `item 2 ("2000x")`,
	} {
		_, err := insights.ParseTierTable("t", list)
		assert.ErrorContains(t, err, want, list)
	}
	_, err = insights.NewTierTable("empty", nil)
	assert.ErrorContains(t, err, "no tiers")
}
