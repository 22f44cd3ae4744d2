package historydb_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/history/historydb"
	"github.com/seatwarden/seatwarden/usermgmt"
)

var _ usermgmt.ApprovalLocker = (*historydb.History)(nil)

// TestPostgresReplicasFileOneApprovalIssue: two replicas (two pools on
// one PostgreSQL history, two managers) record the same plan at the same
// instant, round after round: each round files one approval issue on the
// fake and leaves one pending plan, which both replicas return.
func TestPostgresReplicasFileOneApprovalIssue(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 5, Users: 40, Now: now})
	fake := jiratest.NewServer(t, jiratest.WithOrg(org))
	f, err := usermgmt.Parse([]byte(`version: 1
policies:
  - name: inactive
    when: {onDemand: true}
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
    approval: {project: `+org.Projects[0].Key+`, issueType: Task}
`), usermgmt.YAML)
	require.NoError(t, err)
	a, b := openReplicas(t)
	replica := func(h *historydb.History) (*usermgmt.Manager, *usermgmt.Approvals) {
		m, err := usermgmt.New(usermgmt.Config{Policies: f, Now: func() time.Time { return now },
			Site: usermgmt.Site{URL: fake.URL, Flavor: jira.DataCenter, Transport: fake.Transport(),
				Token: jira.Secret(fake.Credentials().DCToken), RateLimit: 10_000, Burst: 100}})
		require.NoError(t, err)
		ap, err := usermgmt.NewApprovals(m, usermgmt.ApprovalsConfig{Store: h})
		require.NoError(t, err)
		return m, ap
	}
	ma, apA := replica(a)
	mb, apB := replica(b)

	const rounds = 15
	for round := 1; round <= rounds; round++ {
		planA, _, err := ma.Plan(ctx, "inactive")
		require.NoError(t, err)
		planB, _, err := mb.Plan(ctx, "inactive")
		require.NoError(t, err)
		require.NotEqual(t, planA.ID, planB.ID)
		require.NotEmpty(t, planA.Users)

		var recs [2]history.PlanRecord
		var errs [2]error
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, r := range []struct {
			ap   *usermgmt.Approvals
			plan *actions.Plan
		}{{apA, planA}, {apB, planB}} {
			wg.Go(func() {
				<-start
				recs[i], errs[i] = r.ap.Record(ctx, r.plan, "test")
			})
		}
		close(start)
		wg.Wait()
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])

		require.Equal(t, round, fake.Count("POST /rest/api/2/issue"), "round %d: one approval issue per round", round)
		pending, err := b.Plans(ctx, history.PlanPending)
		require.NoError(t, err)
		require.Len(t, pending, 1, "round %d: one pending plan", round)
		for i, rec := range recs {
			assert.Equal(t, pending[0].ID, rec.ID, "round %d: replica %d returns the pending plan", round, i)
			assert.Equal(t, pending[0].IssueKey, rec.IssueKey, "round %d: replica %d returns its issue", round, i)
		}
		// The next round starts with no pending twin.
		moved, err := apA.Cancel(ctx, pending[0].ID, "next round")
		require.NoError(t, err)
		require.True(t, moved)
	}
}
