package report_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/seatwarden/seatwarden/report"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	sum := report.Summarize("https://jira.example.com", users(), t0.Add(5*time.Hour))
	assert.Equal(t, 5, sum.Total, "the app account is not a person")
	assert.Equal(t, 4, sum.Active)
	assert.Equal(t, 1, sum.Inactive)
	assert.Equal(t, 1, sum.NeverLoggedIn)
	assert.Equal(t, map[string]int{"d0_30": 1, "d31_90": 1, "d91_180": 0, "d181_365": 1, "d366_730": 0, "d731": 0}, sum.LastLogin)
	assert.Equal(t, map[string]int{"jira-software": 4, "jira-servicedesk": 1}, sum.Licensed)
	assert.Equal(t, t0.Truncate(24*time.Hour), sum.Day, "the day of the snapshot, 00:00 UTC")
	assert.Equal(t, 2, sum.Recent(90))
	assert.Equal(t, []string{"jira-servicedesk", "jira-software"}, sum.Applications())
}

// TestBucketsAreACopy checks that the exported buckets cannot change what
// Summarize counts.
func TestBucketsAreACopy(t *testing.T) {
	t.Parallel()
	b := report.Buckets()
	b[0].MaxDays = 1000
	assert.Equal(t, 30, report.Buckets()[0].MaxDays)
	cols := report.OutcomeColumns()
	cols[0] = "changed"
	assert.Equal(t, "runId", report.OutcomeColumns()[0])
}
