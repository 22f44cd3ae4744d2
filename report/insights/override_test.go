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
)

// TestRecentRunsShowLimitOverride: the page's recent runs say which run
// went over its limits, which limits and the reason given; a run within
// them reads "applied".
func TestRecentRunsShowLimitOverride(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	runs := []report.RunSummary{
		{RunID: "r2", Policies: []string{"inactive"}, Finished: now.Add(-time.Hour), Steps: 3,
			Counts:        map[actions.Outcome]int{actions.Applied: 3},
			LimitOverride: &actions.LimitOverride{Reason: "office closed, CHG-12", Limit: `policy "inactive" changes 3 users (limit: max 2 users)`}},
		{RunID: "r1", Policies: []string{"inactive"}, Finished: now.Add(-2 * time.Hour), Steps: 1,
			Counts: map[actions.Outcome]int{actions.Applied: 1}},
	}
	in, err := insights.New(t.Context(), insights.Options{Now: now, Flavor: jira.DataCenter, Runs: runs, NoSimulation: true})
	require.NoError(t, err)
	page, err := in.PageHTML()
	require.NoError(t, err)
	assert.Contains(t, string(page), `applied over its limits (policy &#34;inactive&#34; changes 3 users (limit: max 2 users)); reason: office closed, CHG-12`)
	assert.Contains(t, string(page), `<td>applied</td>`)
}
