package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report"
)

// sharedPolicy is the policy of the shared plan and run documents; the
// server's TestPlanAndRunJSONSameAsCLI plans and applies it too.
const sharedPolicy = `policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`

// normalizeDoc replaces in a plan or run document (a JSON object) what
// differs between two runs of one plan — ids, times, the site's URL (a
// fake's port) — by the member's name in capitals, and returns it
// indented. The server's test normalises the same members.
func normalizeDoc(t *testing.T, doc []byte) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(doc, &m), string(doc))
	for _, k := range []string{"id", "planId", "created", "started", "finished", "site"} {
		if _, ok := m[k]; ok {
			m[k] = k + "-NORMALISED"
		}
	}
	delete(m, "links") // the server's own
	b, err := report.MarshalJSON(m)
	require.NoError(t, err)
	return string(b)
}

// TestPlanAndRunJSONShared: 'plan --out -' and 'run --apply --output
// json' write the plan and the run as the server writes them: the golden
// files plan-shared and run-shared are these documents, normalised, on
// the server test's organisation (examples/server newEnv: seed 7, 200
// users, writable directories), and the server's
// TestPlanAndRunJSONSameAsCLI compares its own plan and run to them.
func TestPlanAndRunJSONShared(t *testing.T) {
	t.Parallel()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 200, Now: testNow})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	path := filepath.Join(t.TempDir(), "p.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nsites:\n  jira: {url: \"${JIRA_URL}\", token: \"${JIRA_TOKEN}\"}\n"+sharedPolicy), 0o600))

	fake := jiratest.NewServer(t, jiratest.WithOrg(org))
	env := map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": fake.Credentials().DCToken}
	p := cli(t, env, "plan", "--policy", path, "--out", "-")
	require.Equal(t, exitOK, p.code, p.stderr)
	var file struct {
		Plan json.RawMessage `json:"plan"`
	}
	require.NoError(t, json.Unmarshal([]byte(p.stdout), &file))
	golden(t, "plan-shared", normalizeDoc(t, file.Plan))
	pj := cli(t, env, "plan", "--policy", path, "--output", "json")
	require.Equal(t, exitOK, pj.code, pj.stderr)
	assert.Equal(t, normalizeDoc(t, file.Plan), normalizeDoc(t, []byte(pj.stdout)), "plan --output json: the plan of the file")
	assert.Contains(t, pj.stderr, "16 users", "the summary is on stderr")

	// The same organisation, untouched, in a new fake: the run applies
	// the same steps.
	fake = jiratest.NewServer(t, jiratest.WithOrg(org))
	env = map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": fake.Credentials().DCToken}
	journal := filepath.Join(t.TempDir(), "run.journal")
	r := cli(t, env, "run", "--policy", path, "--apply", "--journal", journal, "--output", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "Journal: "+journal, "the summary is on stderr")
	var run map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &run), "stdout is the run document alone")
	assert.NotZero(t, run["counts"].(map[string]any)["applied"])
	golden(t, "run-shared", normalizeDoc(t, []byte(r.stdout)))
	assert.NotContains(t, r.stdout, `\u00`)

	// Undo: the undo's run document, in the same shape.
	u := cli(t, env, "undo", "--journal", journal, "--apply", "--output", "json")
	require.Equal(t, exitOK, u.code, u.stderr)
	var undo map[string]any
	require.NoError(t, json.Unmarshal([]byte(u.stdout), &undo))
	assert.Equal(t, run["steps"], undo["steps"])
	assert.Equal(t, run["site"], undo["site"])
	assert.NotEqual(t, run["planId"], undo["planId"])
}

// TestRunJSONLimitOverride: a run applied over its limits carries the
// limits and the reason in its run document; --output takes text or
// json only.
func TestRunJSONLimitOverride(t *testing.T) {
	t.Parallel()
	path := inactivePolicyFile(t, "    limits: {maxUsers: 2}\n")
	r := cli(t, nil, "--demo", "run", "--policy", path, "--apply", "--journal", filepath.Join(t.TempDir(), "j"),
		"--override-limits", "office closed, CHG-12", "--output", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var run report.Run
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &run))
	require.NotNil(t, run.LimitOverride)
	assert.Equal(t, "office closed, CHG-12", run.LimitOverride.Reason)
	assert.Contains(t, run.LimitOverride.Limit, `policy "inactive" changes`)
	assert.Contains(t, r.stderr, "Reason given: office closed, CHG-12")

	dry := cli(t, nil, "--demo", "run", "--policy", path, "--output", "json")
	assert.Equal(t, exitRefused, dry.code, "over its limit: %s", dry.stderr)
	var plan map[string]any
	require.NoError(t, json.Unmarshal([]byte(dry.stdout), &plan), "a dry run writes the plan's JSON")
	assert.Contains(t, plan, "limits")

	bad := cli(t, nil, "--demo", "apply", "--plan", "p.json", "--output", "yaml")
	assert.Equal(t, exitUsage, bad.code)
	assert.Contains(t, bad.stderr, `--output "yaml": want text or json`)
}
