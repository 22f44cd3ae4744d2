package usermgmt_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// Both clients read properties: apply can check a property step in doubt.
var (
	_ actions.PropertyReader = (*datacenter.Client)(nil)
	_ actions.PropertyReader = (*cloud.Client)(nil)
)

// TestResumeMarkFoundWritten: a run of a policy whose mark deselects the
// users it is written on is killed after a mark's write and before its
// outcome reached the journal (the journal cut there). Applied again with
// the journal, that step is applied, found done — not refused because the
// policies no longer select the user — and nothing is written again.
func TestResumeMarkFoundWritten(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 40)
	f := parse(t, `policies:
  - name: mark
    site: dc
    when: {timeZone: Europe/London}
    users:
      where: active && daysSinceLastLogin > 60 && property("seatwarden.warned", "") == ""
    actions:
      - action: setProperty
        key: seatwarden.warned
        value: "{{now}}"
`)
	m := newManager(t, f, fakes{"dc": dc}, func(c *usermgmt.Config) { c.Concurrency = 1 })
	plan, _, err := m.Plan(t.Context())
	require.NoError(t, err)
	require.Greater(t, len(plan.Users), 2, plan.Summary())
	journal := filepath.Join(t.TempDir(), "run.journal")
	run, err := m.Apply(t.Context(), plan, usermgmt.ApplyOptions{Journal: journal})
	require.NoError(t, err)
	require.Equal(t, len(plan.Users), run.Counts[actions.Applied], run.Summary())

	// Cut the journal just before the last mark's outcome: its write landed,
	// its outcome was lost.
	data, err := os.ReadFile(journal)
	require.NoError(t, err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	cut, inDoubt := -1, ""
	for i, line := range lines {
		var e actions.JournalEntry
		if json.Unmarshal(line, &e) == nil && e.Type == actions.EntryOutcome && e.Step != nil && e.Step.Kind == actions.KindSetProperty {
			cut, inDoubt = i, e.StepID
		}
	}
	require.Positive(t, cut)
	require.NoError(t, os.WriteFile(journal, bytes.Join(lines[:cut], nil), 0o600))
	dc.ResetStats()

	run, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{Journal: journal})
	require.NoError(t, err)
	assert.True(t, run.Resumed)
	assert.Zero(t, run.Counts[actions.Refused], run.Summary())
	found := false
	for _, r := range run.Results {
		if r.StepID == inDoubt {
			found = true
			assert.Equal(t, actions.Applied, r.Outcome, r.Message)
			assert.Equal(t, "found applied after an interruption", r.Message)
		}
	}
	assert.True(t, found, "a result for %s", inDoubt)
	for _, r := range dc.Requests() {
		assert.Equal(t, "GET", r.Method, "nothing written again: %s %s", r.Method, r.Path)
	}
}
