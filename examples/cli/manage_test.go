package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/examples/internal/tour"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// newApp returns an app for several runs in a row on the same --demo
// fake, as a person would run several commands on one site.
func newApp(env map[string]string) *app {
	return &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return env[k] },
		now: func() time.Time { return testNow }, demoUsers: 1000}
}

// on runs the program with args on a's fake.
func (a *app) on(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a.stdout, a.stderr = &out, &errOut
	a.g = globals{}
	code := a.run(t.Context(), append([]string{"--demo"}, args...))
	return result{code, out.String(), errOut.String()}
}

// writePolicy writes a policy file for the demo's fake.
func writePolicy(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nsites:\n  jira: {url: \"${JIRA_URL}\", token: \"${JIRA_TOKEN}\"}\npolicies:\n"+body), 0o600))
	return path
}

const longGone = `  - name: long-gone
    users: {where: active && daysSinceLastLogin > 1000}
    actions: [{action: deactivate}]
    limits: {maxUsers: 500}
    reporting:
      sinks: [{type: jsonl, path: runs/long-gone.jsonl}]
`

// inactive counts the fake's inactive users.
func inactive(a *app) int {
	n := 0
	for _, u := range a.fake.Users() {
		if !u.Active {
			n++
		}
	}
	return n
}

func TestRunDryApplyUndo(t *testing.T) {
	t.Parallel()
	policy := writePolicy(t, longGone)
	a := newApp(nil)
	r := a.on(t, "run", "--policy", policy)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Policies: long-gone")
	assert.Contains(t, r.stdout, "Interactions of long-gone:")
	assert.Contains(t, r.stdout, "Dry run: nothing was changed")
	before := inactive(a)

	journal := filepath.Join(t.TempDir(), "run.journal")
	r = a.on(t, "run", "--policy", policy, "--apply", "--journal", journal)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "applied")
	assert.Contains(t, r.stdout, "undo --journal "+journal)
	changed := inactive(a) - before
	assert.Positive(t, changed, "users deactivated on the fake")
	assert.Contains(t, r.stdout, "Steps: deactivate "+itoa(changed))
	assert.FileExists(t, filepath.Join(filepath.Dir(policy), "runs", "long-gone.jsonl"), "the policy's sink")

	r = a.on(t, "undo", "--journal", journal)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "reactivate "+itoa(changed))
	assert.Equal(t, before+changed, inactive(a), "undo without --apply changes nothing")
	r = a.on(t, "undo", "--journal", journal, "--apply")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, before, inactive(a), "reactivated")
	a.fake.ResetStats()
	r = a.on(t, "undo", "--journal", journal, "--apply")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Already undone: "+journal+".undo records every step of this undo. Nothing was changed.\n")
	r = a.on(t, "undo", "--journal", journal)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Already undone", "the dry run of a done undo says so too")
	assert.NotContains(t, r.stdout, "Add --apply")
	for _, req := range a.fake.Requests() {
		assert.Equal(t, "GET", req.Method, "the second undo writes nothing: %s %s", req.Method, req.Path)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// demoProject is a project of the demo's organisation.
func demoProject() string {
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: 1000, Now: testNow.Truncate(24 * time.Hour)})
	return org.Projects[0].Key
}

func TestPlanOutThenApply(t *testing.T) {
	t.Parallel()
	policy := writePolicy(t, longGone+`  - name: unlicence
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: removeAllLicences}]
`)
	out := filepath.Join(t.TempDir(), "plan.json")
	r := cli(t, nil, "--demo", "plan", "--policy", policy, "--out", out)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Policies: long-gone, unlicence")
	assert.Contains(t, r.stdout, "long-gone + unlicence", "the interaction report lists users both select")
	assert.Contains(t, r.stdout, "Plan written to "+out)

	// A later run on the same (regenerated) site applies the plan.
	a := newApp(nil)
	r = a.on(t, "apply", "--plan", out, "--journal", filepath.Join(t.TempDir(), "j"))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "applied")
	assert.NotContains(t, r.stdout, "stale")
	assert.Positive(t, inactive(a)-91, "deactivated beyond the generated org's inactive users")

	// Two files planned together.
	other := writePolicy(t, `  - name: unlicence-2
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: removeAllLicences}]
`)
	r = cli(t, nil, "--demo", "plan", "--policy", policy, "--policy", other, "--name", "long-gone", "--name", "unlicence-2")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Policies: long-gone, unlicence-2")
	assert.NotContains(t, r.stderr, "\r", "no progress bar when stderr is not a terminal")

	r = cli(t, nil, "--demo", "apply")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--plan FILE is required")
}

func TestRefusedExitCode(t *testing.T) {
	t.Parallel()
	a := newApp(nil)
	r := a.on(t, "run", "--policy", "../policies/inactive-90-days.yaml", "--apply")
	assert.Equal(t, exitRefused, r.code)
	assert.Contains(t, r.stderr, "refused: actions: blast-radius limit exceeded")
	assert.Equal(t, 91, inactive(a), "nothing written")
}

func TestApprovalExitCode(t *testing.T) {
	t.Parallel()
	a := newApp(nil)
	a.demoSite(jira.DataCenter)
	policy := writePolicy(t, `  - name: approve-me
    users: {where: active && daysSinceLastLogin > 1000}
    actions: [{action: deactivate}]
    approval: {project: `+demoProject()+`, issueType: Task}
`)
	before := inactive(a)
	r := a.on(t, "run", "--policy", policy, "--apply")
	assert.Equal(t, exitRefused, r.code)
	assert.Contains(t, r.stderr, "waits for approval on issue")
	key := r.stderr[strings.Index(r.stderr, "on issue ")+len("on issue "):]
	key = strings.Fields(key)[0]
	issue, ok := a.fake.Issue(key)
	require.True(t, ok, key)
	assert.Contains(t, issue.Summary, "approve-me")
	assert.Equal(t, before, inactive(a))
}

func TestGroupsAddRemove(t *testing.T) {
	t.Parallel()
	csvPath := filepath.Join(t.TempDir(), "users.csv")
	require.NoError(t, os.WriteFile(csvPath, []byte("username\nmsuzuki\nkhall\nnobody\n"), 0o600))
	a := newApp(nil)
	a.demoSite(jira.DataCenter)
	require.NoError(t, a.fake.AddGroup("reviewers"))
	r := a.on(t, "groups", "add", "reviewers", "--users-from", csvPath)
	require.Equal(t, exitFailed, r.code, r.stderr) // the unknown row: exit 1, the others planned/applied
	assert.Contains(t, r.stdout, "add-group 2")
	assert.Contains(t, r.stdout, "row 4 (nobody): unknown user")
	members, _ := a.fake.GroupMembers("reviewers")
	assert.Empty(t, members, "a dry run")

	r = a.on(t, "groups", "add", "reviewers", "--users-from", csvPath, "--apply", "--journal", filepath.Join(t.TempDir(), "add.journal"))
	require.Equal(t, exitFailed, r.code, r.stderr) // the unknown row: exit 1, the others planned/applied
	members, _ = a.fake.GroupMembers("reviewers")
	assert.Len(t, members, 2)

	r = a.on(t, "groups", "remove", "reviewers", "--users-from", csvPath, "--apply", "--journal", filepath.Join(t.TempDir(), "remove.journal"))
	require.Equal(t, exitFailed, r.code, r.stderr) // the unknown row: exit 1, the others planned/applied
	assert.Contains(t, r.stdout, "remove-group 2")
	members, _ = a.fake.GroupMembers("reviewers")
	assert.Empty(t, members)

	r = a.on(t, "groups", "add", "--users-from", csvPath)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "want one GROUP")
}

func TestInsights(t *testing.T) {
	t.Parallel()
	html := filepath.Join(t.TempDir(), "insights.html")
	r := cli(t, nil, "--demo", "insights", "--html", html)
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, want := range []string{"1001 people: 910 active, 91 inactive", "Last login (active people):", "jira-software:", "HTML report: " + html} {
		assert.Contains(t, r.stdout, want)
	}
	data, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(data), "<svg")
}

func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, a := cliApp(t, nil, "demo", "--dir", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, want := range []string{"Seatwarden demo", "Policies: inactive-90-days", "Steps: deactivate 256",
		"refused before any change", `--override-limits "REASON"`, "256 steps: 256 applied", "Limits overridden: policy \"inactive-90-days\" changes 256 users", filepath.Join(dir, "report.html")} {
		assert.Contains(t, r.stdout, want)
	}
	assert.Equal(t, 91+256, inactive(a), "the fake's users are deactivated")
	for _, f := range []string{"report.html", "run.journal", "runs/inactive-90-days.jsonl", "runs/inactive-90-days.csv"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
}

func TestDemoPolicyIsTheExample(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile("../policies/inactive-90-days.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(example), string(tour.Policy), "copy examples/policies/inactive-90-days.yaml to examples/internal/tour/")
}

func TestPolicyFileErrors(t *testing.T) {
	t.Parallel()
	bad := writePolicy(t, `  - name: typo
    users: {where: active && lastlogin > 3}
    actions: [{action: deactivate}]
`)
	r := cli(t, nil, "--demo", "plan", "--policy", bad)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "policies[0].users.where: line 1, column 11: unknown name lastlogin; did you mean lastLogin?")

	r = cli(t, nil, "plan", "--policy", "../policies/inactive-90-days.yaml")
	assert.Equal(t, exitUsage, r.code, "no JIRA_URL")
	assert.Contains(t, r.stderr, "JIRA_URL")
	assert.NotContains(t, r.stderr, "secret-token")

	r = cli(t, map[string]string{"JIRA_TOKEN": "secret-token"}, "--site", "http://127.0.0.1:1", "--flavor", "dc",
		"plan", "--policy", "../policies/inactive-90-days.yaml")
	assert.Equal(t, exitFailed, r.code, "the flags stand in for the file's variables; the site is unreachable")
	assert.Contains(t, r.stderr, "127.0.0.1:1")
	assert.NotContains(t, r.stderr, "secret-token")
}

func TestDemoCloud(t *testing.T) {
	t.Parallel()
	r := cli(t, nil, "demo", "--flavor", "cloud", "--dir", t.TempDir())
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "A fake Jira Cloud runs in this process")
	assert.Regexp(t, `(\d+) steps: (\d+) applied\n`, r.stdout)
}

// TestInsightsOwnTiers: --tiers (or SEATWARDEN_TIERS) replaces the
// indicative public tiers with the admin's own; a bad list is a usage
// error naming the item.
func TestInsightsOwnTiers(t *testing.T) {
	t.Parallel()
	def := cli(t, nil, "--demo", "insights")
	require.Equal(t, exitOK, def.code, def.stderr)
	assert.NotContains(t, def.stdout, "600-user tier")
	// The site's licence (1,000 seats) wins over any table; one's own
	// tiers say where deactivations drop to.
	assert.Regexp(t, `jira-software: \d+ of 1,000 seats used`, def.stdout)
	own := cli(t, nil, "--demo", "insights", "--tiers", "600, 700")
	require.Equal(t, exitOK, own.code, own.stderr)
	assert.Contains(t, own.stdout, "your own tiers")
	assert.Regexp(t, `jira-software: \d+ of 1,000 seats used`, own.stdout)
	assert.Regexp(t, `drops jira-software from the 1,000-user tier to the 600-user tier\.\n`, own.stdout)
	env := cli(t, map[string]string{"SEATWARDEN_TIERS": "600,700"}, "--demo", "insights")
	require.Equal(t, exitOK, env.code, env.stderr)
	assert.Regexp(t, `drops jira-software from the 1,000-user tier to the 600-user tier\.\n`, env.stdout)
	bad := cli(t, nil, "--demo", "insights", "--tiers", "500,abc")
	assert.Equal(t, exitUsage, bad.code)
	assert.Contains(t, bad.stderr, `item 2 ("abc") is not a number of users`)
}
