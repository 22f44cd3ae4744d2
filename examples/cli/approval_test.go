package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// TestApplyApprovalFromCLI (issue 16, point 3): apply of a plan of an
// approval policy files the issue once and remembers it; applied again
// while pending it exits 3 without filing another; once approved it
// applies; rejected it refuses; the remembered issue is checked (another
// issue is refused); --wait polls until decided.
func TestApplyApprovalFromCLI(t *testing.T) {
	t.Parallel()
	for _, decision := range []string{"Approve", "Reject", "other issue", "wait"} {
		t.Run(decision, func(t *testing.T) {
			t.Parallel()
			a := newApp(nil)
			a.demoSite(jira.DataCenter)
			policy := writePolicy(t, `  - name: approve-me
    users: {where: active && daysSinceLastLogin > 1000}
    actions: [{action: deactivate}]
    approval: {project: `+demoProject()+`, issueType: Task}
`)
			planFile := filepath.Join(t.TempDir(), "plan.json")
			r := a.on(t, "plan", "--policy", policy, "--out", planFile)
			require.Equal(t, exitOK, r.code, r.stderr)
			before := inactive(a)
			issues := func() int { return a.fake.Count("POST /rest/api/2/issue") }

			r = a.on(t, "apply", "--plan", planFile)
			require.Equal(t, exitRefused, r.code, r.stderr)
			assert.Contains(t, r.stderr, "waits for approval on issue")
			require.Equal(t, 1, issues())
			var af approvalFile
			side, err := os.ReadFile(planFile + ".approval")
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(side, &af))
			require.NotEmpty(t, af.Issue)

			r = a.on(t, "apply", "--plan", planFile)
			assert.Equal(t, exitRefused, r.code, r.stderr)
			assert.Contains(t, r.stderr, af.Issue)
			assert.Equal(t, 1, issues(), "pending: no second issue")
			assert.Equal(t, before, inactive(a))

			switch decision {
			case "wait":
				go func() { _ = a.fake.Transition(af.Issue, "Approve") }()
				r = a.on(t, "apply", "--plan", planFile, "--wait", "--wait-interval", "10ms")
				require.Equal(t, exitOK, r.code, r.stderr)
				assert.Greater(t, inactive(a), before)
			case "other issue":
				// An approved issue of another plan, written in the file.
				require.NoError(t, a.fake.Transition(af.Issue, "Reject"))
				r = a.on(t, "run", "--policy", policy, "--apply")
				require.Equal(t, exitRefused, r.code)
				other := issueOf(t, r.stderr)
				require.NoError(t, a.fake.Transition(other, "Approve"))
				b, _ := json.Marshal(approvalFile{Plan: af.Plan, Issue: other})
				require.NoError(t, os.WriteFile(planFile+".approval", b, 0o600))
				r = a.on(t, "apply", "--plan", planFile)
				assert.Equal(t, exitRefused, r.code)
				assert.Contains(t, r.stderr, "not the plan's approval issue")
				assert.Equal(t, before, inactive(a), "nothing written")
			default:
				require.NoError(t, a.fake.Transition(af.Issue, decision))
				r = a.on(t, "apply", "--plan", planFile)
				if decision == "Reject" {
					assert.Equal(t, exitRefused, r.code)
					assert.Contains(t, r.stderr, "rejected")
					assert.Equal(t, before, inactive(a), "nothing written")
				} else {
					require.Equal(t, exitOK, r.code, r.stderr)
					assert.Greater(t, inactive(a), before)
				}
			}
			assert.LessOrEqual(t, issues(), 2)
		})
	}
}

func issueOf(t *testing.T, stderr string) string {
	t.Helper()
	const on = "on issue "
	i := strings.Index(stderr, on)
	require.GreaterOrEqual(t, i, 0, stderr)
	rest := stderr[i+len(on):]
	for j, c := range rest {
		if c == ' ' || c == '\n' || c == ')' || c == ':' {
			return rest[:j]
		}
	}
	return rest
}
