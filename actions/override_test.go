package actions_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// A plan over its limit is applied only with a reason, which the run, the
// journal's run entry, the summary and the log record.
func TestApplyOverrideLimits(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(20)})
	p := offboard()
	p.Select = crit(t, `active`)
	p.Limits = actions.Limits{MaxUsers: 5}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})

	// A blank reason is no reason.
	s.ResetStats()
	_, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{OverrideLimits: "  \t"})
	require.ErrorIs(t, err, actions.ErrLimitExceeded)
	assert.Zero(t, s.TotalRequests())

	path := filepath.Join(t.TempDir(), "j")
	j, err := actions.OpenJournal(path)
	require.NoError(t, err)
	var log bytes.Buffer
	run, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{Journal: j, OverrideLimits: " office closed: INC-42 ",
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	assert.Equal(t, 60, run.Counts[actions.Applied])
	require.NotNil(t, run.LimitOverride)
	assert.Equal(t, "office closed: INC-42", run.LimitOverride.Reason)
	assert.Equal(t, `policy "offboard" changes 20 users, 95.24% of 21 active users (limit: max 5 users)`, run.LimitOverride.Limit)
	assert.Contains(t, run.Summary(), "Limits overridden: policy \"offboard\" changes 20 users")
	assert.Contains(t, run.Summary(), "reason: office closed: INC-42")
	assert.Contains(t, log.String(), `msg="limits overridden"`)
	assert.Contains(t, log.String(), `reason="office closed: INC-42"`)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(data), "\n")
	assert.Contains(t, first, `"type":"run"`)
	assert.Contains(t, first, `"limitOverride":{"reason":"office closed: INC-42","limit":"policy \"offboard\" changes 20 users`)
}

// A plan within its limits ignores a reason: nothing records an override.
func TestApplyOverrideWithinLimits(t *testing.T) {
	t.Parallel()
	_, c := dcSite(t, &jiratest.Org{Users: people(5)})
	p := offboard()
	p.Select = crit(t, `name == "user0001"`)
	p.Limits = actions.Limits{MaxUsers: 5}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	run, err := actions.Apply(t.Context(), c, plan, actions.ApplyOptions{OverrideLimits: "just in case"})
	require.NoError(t, err)
	assert.Nil(t, run.LimitOverride)
	assert.NotContains(t, run.Summary(), "overridden")
}
