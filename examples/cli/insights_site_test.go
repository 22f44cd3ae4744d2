package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/report/insights"
)

// TestInsightsSiteSeatsAndRecommendations: on both flavours the licences
// are the site's own numbers (its application roles: the tier is the
// licence's seats, not the table's tier for the users counted), the text
// and the JSON say what to do in words, and the simulation is there.
func TestInsightsSiteSeatsAndRecommendations(t *testing.T) {
	t.Parallel()
	for _, flavor := range []string{"dc", "cloud"} {
		t.Run(flavor, func(t *testing.T) {
			t.Parallel()
			r := cli(t, nil, "--demo", "--flavor", flavor, "insights", "--output", "json")
			require.Equal(t, exitOK, r.code, r.stderr)
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			dec.DisallowUnknownFields()
			var in insights.JSON
			require.NoError(t, dec.Decode(&in), r.stdout)
			assert.True(t, in.SeatsFromSite)
			var sw *insights.JSONLicence
			for i := range in.Licences {
				if in.Licences[i].Application == "jira-software" {
					sw = &in.Licences[i]
				}
			}
			require.NotNil(t, sw)
			assert.Positive(t, sw.Limit, "the site's licence")
			assert.Equal(t, sw.Limit, sw.Tier, "the site's number wins over the table")
			require.NotEmpty(t, in.Recommendations)
			assert.Regexp(t, `^Deactivating the \d+ users inactive for 90\+ days (drops|frees)`, in.Recommendations[0].Text)
			require.NotNil(t, in.Simulation)
			assert.Positive(t, in.Simulation.Deactivated)

			text := cli(t, nil, "--demo", "--flavor", flavor, "insights")
			require.Equal(t, exitOK, text.code, text.stderr)
			assert.Contains(t, text.stdout, "\nWhat to do:\n  - "+in.Recommendations[0].Text+"\n")
		})
	}
}
