package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/jiratest"
	reporthistory "github.com/seatwarden/seatwarden/report/history"
)

const approvalPolicyFile = `version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", flavor: dc}
policies:
  - name: inactive-approved
    when: {schedule: "@daily"}
    users: {where: active && daysSinceLastLogin > 90 && accountType == "atlassian"}
    actions: [{action: deactivate}]
    approval: {project: %s, issueType: Task}
`

// TestApprovalPolicies: the daemon runs approval policies end to end with
// the fake: a run files the issue and records the plan pending, writing
// nothing to users; a second identical run files no second issue; once the
// issue is approved on the fake, the next poll applies the plan; rejected,
// the plan is recorded rejected and nothing is written.
func TestApprovalPolicies(t *testing.T) {
	t.Parallel()
	for _, decision := range []string{"Approve", "Reject"} {
		t.Run(decision, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: 150, Now: time.Now()})
			for i := range org.Directories {
				org.Directories[i].ReadOnly = false
			}
			require.NotEmpty(t, org.Projects)
			fake := jiratest.New(jiratest.WithOrg(org))
			project := org.Projects[0].Key
			path := filepath.Join(dir, "policies.yaml")
			require.NoError(t, os.WriteFile(path, fmt.Appendf(nil, approvalPolicyFile, project), 0o644))
			before := activeUsers(fake)
			history := filepath.Join(dir, "history.db")
			run := func() string {
				var stderr syncBuffer
				code := testApp(fake, &stderr).run(t.Context(), []string{"--once", "--apply", "--policies", path,
					"--history", history, "--journal-dir", filepath.Join(dir, "journals")})
				require.Equal(t, exitOK, code, stderr.String())
				return stderr.String()
			}
			logs := run()
			assert.Contains(t, logs, "policy run waits for approval")
			assert.Equal(t, before, activeUsers(fake), "nothing applied before the decision")
			assert.Equal(t, 1, fake.Count("POST /rest/api/2/issue"), "one approval issue")
			run()
			assert.Equal(t, 1, fake.Count("POST /rest/api/2/issue"), "the pending plan is not filed again")
			assert.Equal(t, before, activeUsers(fake))

			h := openHistory(t, history)
			pending, err := h.Plans(t.Context(), reporthistory.PlanPending)
			require.NoError(t, err)
			require.Len(t, pending, 1)
			require.NotEmpty(t, pending[0].IssueKey)
			require.NoError(t, fake.Transition(pending[0].IssueKey, decision))

			run() // polls: applies or records the rejection
			rec, err := h.Plan(t.Context(), pending[0].ID)
			require.NoError(t, err)
			if decision == "Reject" {
				assert.Equal(t, reporthistory.PlanRejected, rec.Status)
				assert.Equal(t, before, activeUsers(fake), "a rejected plan writes nothing")
				return
			}
			assert.Equal(t, reporthistory.PlanApplied, rec.Status, rec.Error)
			assert.Less(t, activeUsers(fake), before, "the approved plan is applied")
			assert.NotEmpty(t, rec.RunID)
		})
	}
}
