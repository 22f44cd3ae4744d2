package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// sharedWhere selects users by what both the CLI's JSON and the
// server's read (last logins, every group, licences), so that both ask
// the site for the same facts.
const sharedWhere = `active && daysSinceLastLogin > 365 && !("nobody" in groups) && !("none" in licences)`

// TestUsersJSONShared: 'users list --output json' writes the users in
// the shape the server's GET /api/v1/users writes (report.User): the
// golden file testdata/users-shared.json is this list, and the server's
// TestUsersJSONSameAsCLI compares its own answer, on the same generated
// organisation, to it. The last login is a time, "never" or "unknown";
// no HTML escaping.
func TestUsersJSONShared(t *testing.T) {
	t.Parallel()
	// The server test's organisation (examples/server newEnv).
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 200, Now: testNow})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	fake := jiratest.NewServer(t, jiratest.WithOrg(org))
	env := map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": fake.Credentials().DCToken}
	r := cli(t, env, "users", "list", "--output", "json", "--where", sharedWhere)
	require.Equal(t, exitOK, r.code, r.stderr)
	var users []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &users))
	require.NotEmpty(t, users)
	for _, u := range users {
		assert.Regexp(t, `^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|never|unknown)$`, u["lastLogin"])
		assert.Contains(t, u, "groups")
		assert.Contains(t, u, "licences")
	}
	golden(t, "users-shared", r.stdout)
	assert.NotContains(t, r.stdout, `\u00`)
}

// TestPlanFileNotHTMLEscaped: plan --out writes the plan as the server
// writes plans (report.WriteJSON): "&&" and ">" as they are.
func TestPlanFileNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "plan.json")
	r := cli(t, map[string]string{planKeyEnv: "k"}, "--demo", "plan", "--policy", "../policies/inactive-90-days.yaml", "--out", path)
	require.Contains(t, []int{exitOK, exitRefused}, r.code, r.stderr)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), "daysSinceLastLogin > 90")
	assert.NotContains(t, string(data), `\u003e`)
	_, err = readPlan(path, []byte("k"))
	require.NoError(t, err, "the signature covers the unescaped plan")
}
