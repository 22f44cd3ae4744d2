package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/insights"
)

// exampleFlavors are the flavours each example policy says it runs on.
var exampleFlavors = map[string][]jira.Flavor{
	"inactive-90-days.yaml":        {jira.DataCenter, jira.Cloud},
	"lifecycle.yaml":               {jira.DataCenter, jira.Cloud},
	"contractors.yaml":             {jira.DataCenter, jira.Cloud},
	"never-logged-in-30-days.yaml": {jira.Cloud},
}

// exampleSite starts a fake of the flavour as examples/fakejira does: a
// generated organisation, its LDAP directory read-only, no group added;
// none of the demo's conveniences. It returns the documented variables a
// user sets for it.
func exampleSite(t *testing.T, fl jira.Flavor) (*jiratest.Server, map[string]string) {
	t.Helper()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 7, Users: 80, Now: time.Now()})
	fake := jiratest.NewServer(t, jiratest.WithFlavor(fl), jiratest.WithOrg(org))
	cr := fake.Credentials()
	env := map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": cr.DCToken}
	if fl == jira.Cloud {
		env["JIRA_USER"], env["JIRA_TOKEN"] = cr.CloudEmail, cr.CloudToken
		env["ATLASSIAN_ADMIN_URL"], env["ATLASSIAN_ORG_ID"], env["ATLASSIAN_ORG_KEY"] = fake.URL, cr.OrgID, cr.OrgKey
	}
	return fake, env
}

// TestExamplesOnBothFakes plans every example policy, as shipped, on a
// fake of each flavour it says it runs on, with only the documented
// variables: exit 0, a plan, no write.
func TestExamplesOnBothFakes(t *testing.T) {
	files, err := filepath.Glob("../policies/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		name := filepath.Base(path)
		flavors, ok := exampleFlavors[name]
		require.True(t, ok, "%s: say which flavours it runs on in exampleFlavors", name)
		for _, fl := range flavors {
			t.Run(name+"/"+fl.String(), func(t *testing.T) {
				fake, env := exampleSite(t, fl)
				r := cli(t, env, "plan", "--policy", path)
				// A plan over a blast-radius limit exits 3 (apply would
				// refuse it) and says so: not an error of the example.
				if r.code == exitRefused {
					assert.Contains(t, r.stdout, "Over a limit")
				} else {
					require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
				}
				assert.Contains(t, r.stdout, "Plan")
				for _, req := range fake.Requests() {
					read := req.Method == "GET" || req.Method == "HEAD" || strings.HasSuffix(req.Path, "/users/search")
					assert.True(t, read, "a write: %s %s", req.Method, req.Path)
				}
			})
		}
	}
}

// TestExampleVariablesDocumented checks that the examples refer only to
// the variables the README documents.
func TestExampleVariablesDocumented(t *testing.T) {
	documented := []string{"JIRA_URL", "JIRA_USER", "JIRA_TOKEN", "ATLASSIAN_ADMIN_URL", "ATLASSIAN_ORG_ID", "ATLASSIAN_ORG_KEY"}
	files, err := filepath.Glob("../policies/*.yaml")
	require.NoError(t, err)
	for _, path := range files {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var code strings.Builder
		for line := range strings.Lines(string(data)) {
			code.WriteString(strings.SplitN(line, "#", 2)[0])
		}
		for _, part := range strings.Split(code.String(), "${")[1:] {
			v := part[:strings.IndexAny(part, ":}")]
			assert.True(t, slices.Contains(documented, v), "%s: ${%s} is not a documented variable", path, v)
		}
	}
}

// TestDemoPicksCloudForCloudPolicy: --demo with a Cloud-only policy file
// runs the Cloud fake, without ATLASSIAN_ORG_ID from the user.
func TestDemoPicksCloudForCloudPolicy(t *testing.T) {
	r := cli(t, nil, "--demo", "plan", "--policy", "../policies/never-logged-in-30-days.yaml")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stderr, "a fake Jira Cloud in memory")
}

// TestLimitsHaveANextStep: plan and a dry run exit 3 on a plan apply
// would refuse, and say which limit, by how much and what to do.
func TestLimitsHaveANextStep(t *testing.T) {
	_, env := exampleSite(t, jira.DataCenter)
	path := inactivePolicyFile(t, "    limits: {maxUsers: 2}\n")
	for _, args := range [][]string{{"plan", "--policy", path}, {"run", "--policy", path}} {
		r := cli(t, env, args...)
		assert.Equal(t, exitRefused, r.code, "%v: %s", args, r.stderr)
		assert.Regexp(t, `Over a limit: policy "inactive" changes (\d+) users .*; limits.maxUsers is 2: \d+ users over\.`, r.stdout)
		assert.Contains(t, r.stdout, "Next: narrow the policy's criterion, or raise its limits in ")
		assert.NotContains(t, r.stdout, "Add --apply")
	}
}

// TestReadOnlyFailuresGrouped: users Jira refuses to change (a read-only
// LDAP directory) are one line of the run's summary with their number,
// and one line on stderr.
func TestReadOnlyFailuresGrouped(t *testing.T) {
	_, env := exampleSite(t, jira.DataCenter)
	path := inactivePolicyFile(t, "")
	dry := cli(t, env, "run", "--policy", path)
	assert.Equal(t, exitOK, dry.code, dry.stderr)
	assert.Contains(t, dry.stdout, "\nDirectories: unknown on this site (Jira DC's REST API does not say which\n")
	assert.Contains(t, dry.stdout, "readOnlyDirectories: their users are then protected and not planned.\n")

	r := cli(t, env, "run", "--apply", "--journal", filepath.Join(t.TempDir(), "j"), "--policy", path)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	m := regexp.MustCompile(`\n  (\d+) failed: deactivate — read-only directory 'Corporate LDAP' \(403\) — see readOnlyDirectories\n`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	n, _ := strconv.Atoi(m[1])
	assert.Greater(t, n, 1)
	assert.Contains(t, r.stdout, fmt.Sprintf(", %d failed\n", n))
	assert.Equal(t, 1, strings.Count(r.stdout, "read-only directory"), r.stdout)
	assert.Equal(t, 1, strings.Count(r.stderr, "outcome=failed"), r.stderr)
}

// TestRunPrintsSinkFiles: after an applied run, the CLI lists the report
// files, resolved against the policy file's directory, not the current
// one; two policies writing one file are refused at load.
func TestRunPrintsSinkFiles(t *testing.T) {
	_, env := exampleSite(t, jira.DataCenter)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.yaml")
	policy := `version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - name: a
    users: {where: active && daysSinceLastLogin > 30 && email == "nobody@example.com"}
    actions: [{action: deactivate}]
    reporting: {sinks: [{type: jsonl, path: runs/a.jsonl}]}
`
	require.NoError(t, os.WriteFile(path, []byte(policy), 0o600))
	r := cli(t, env, "run", "--apply", "--journal", filepath.Join(t.TempDir(), "j"), "--policy", path)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\nReports:\n  jsonl "+filepath.Join(dir, "runs", "a.jsonl")+" (policy a)\n")
	assert.FileExists(t, filepath.Join(dir, "runs", "a.jsonl"))

	require.NoError(t, os.WriteFile(path, []byte(policy+`  - name: b
    users: {where: active}
    actions: [{action: deactivate}]
    reporting: {sinks: [{type: jsonl, path: ./runs/../runs/a.jsonl}]}
`), 0o600))
	r = cli(t, env, "plan", "--policy", path)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "p.yaml:12: policies[1].reporting.sinks[0].path: ./runs/../runs/a.jsonl is also written by policies[0].reporting.sinks[0].path; give each sink its own file")
}

// TestOutDashIsStdout: plan --out - and insights --html - write to
// stdout (the text to stderr) and create no file named "-".
func TestOutDashIsStdout(t *testing.T) {
	policy := filepath.Join(exampleDir(t), "lifecycle.yaml")
	t.Chdir(t.TempDir())
	r := cli(t, nil, "--demo", "plan", "--policy", policy, "--out", "-")
	require.Contains(t, []int{exitOK, exitRefused}, r.code, r.stderr)
	var sp savedPlan
	require.NoError(t, decodeStrict([]byte(r.stdout), &sp), r.stdout)
	assert.NotEmpty(t, sp.Plan.ID)
	assert.Contains(t, r.stderr, "Plan "+sp.Plan.ID)

	r = cli(t, nil, "--demo", "insights", "--html", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "<!DOCTYPE html>") || strings.HasPrefix(r.stdout, "<!doctype html>"), r.stdout[:min(100, len(r.stdout))])
	assert.NoFileExists(t, "-")
}

func exampleDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs("../policies")
	require.NoError(t, err)
	return d
}

// TestGroupsAddBadRows: unknown and duplicate rows are listed once each
// and the command exits 1.
func TestGroupsAddBadRows(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "u.csv")
	require.NoError(t, os.WriteFile(csv, []byte("username\nadmin\nnobody-x\nadmin\n"), 0o600))
	r := cli(t, nil, "--demo", "groups", "add", "jira-software-users", "--users-from", csv)
	assert.Equal(t, exitFailed, r.code)
	assert.Equal(t, 1, strings.Count(r.stdout, "row 3 (nobody-x): unknown user"), r.stdout)
	assert.Equal(t, 1, strings.Count(r.stdout, "row 4 (admin): duplicate of row 2"), r.stdout)
	assert.Contains(t, r.stderr, "u.csv: 2 rows skipped (unknown users, duplicates)")
}

// TestInsightsJSON: insights --output json prints the one JSON shape of
// insights (insights.JSON, strictly), the server's GET /api/v1/insights.
func TestInsightsJSON(t *testing.T) {
	r := cli(t, nil, "--demo", "insights", "--output", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var in insights.JSON
	require.NoError(t, dec.Decode(&in), r.stdout)
	assert.Positive(t, in.Summary.Total)
	assert.NotEmpty(t, in.Licences)
	assert.NotEmpty(t, in.Licences[0].Sentence)
}

// inactivePolicyFile writes a policy deactivating users inactive for 30
// days on the site of the environment, with extra lines, and returns its
// path.
func inactivePolicyFile(t *testing.T, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 30}
    actions: [{action: deactivate}]
`+extra), 0o600))
	return path
}

// TestInsightsPageTitle: the insights page has its own title, not that of
// a run of an empty plan.
func TestInsightsPageTitle(t *testing.T) {
	r := cli(t, nil, "--demo", "insights", "--html", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "<title>Seatwarden · Insights of http://jira.invalid on 2026-03-01</title>")
	assert.Contains(t, r.stdout, "<h1>Insights</h1>")
	assert.NotContains(t, r.stdout, "Run of plan")
	assert.NotContains(t, r.stdout, "What the run did")
}
