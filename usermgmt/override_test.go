package usermgmt_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// A plan over its limit is applied with a reason (Apply and Run), which
// the journal, the run and the policy's run log record; without one it is
// refused and nothing is written.
func TestManagerOverrideLimits(t *testing.T) {
	t.Parallel()
	dc := newFake(t, jira.DataCenter, 300)
	dir := t.TempDir()
	m := newManager(t, parseIn(t, dir, fmt.Sprintf(inactivePolicy, 1)), fakes{"dc": dc}, nil)
	plan, _, err := m.Plan(t.Context(), "inactive")
	require.NoError(t, err)
	ids := planned(plan, actions.KindDeactivate)
	require.Greater(t, len(ids), 1)

	_, err = m.Apply(t.Context(), plan, usermgmt.ApplyOptions{OverrideLimits: " "})
	require.ErrorIs(t, err, actions.ErrLimitExceeded, "a blank reason is none")
	assert.Equal(t, len(ids), activeCount(dc, ids), "nothing written")

	journal := filepath.Join(t.TempDir(), "run.journal")
	_, run, err := m.Run(t.Context(), usermgmt.RunOptions{Apply: true, Journal: journal, OverrideLimits: "reorganisation, CHG-7"})
	require.NoError(t, err)
	assert.Zero(t, activeCount(dc, ids), "applied")
	require.NotNil(t, run.LimitOverride)
	assert.Equal(t, "reorganisation, CHG-7", run.LimitOverride.Reason)
	assert.Contains(t, run.LimitOverride.Limit, `policy "inactive" changes`)

	j, err := os.ReadFile(journal)
	require.NoError(t, err)
	assert.Contains(t, string(j), `"limitOverride":{"reason":"reorganisation, CHG-7"`)
	log, err := os.ReadFile(filepath.Join(dir, "runs", "inactive.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(log), `"limitOverride":{"reason":"reorganisation, CHG-7"`)
}
