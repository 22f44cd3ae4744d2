package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestMain runs the program itself when a test starts the test binary as
// a subprocess (SEATWARDEN_CLI_MAIN=1): the tests below use the program
// as a person does, in its own processes.
func TestMain(m *testing.M) {
	if os.Getenv("SEATWARDEN_CLI_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// proc is the program run as a subprocess against a fake.
type proc struct {
	fake *jiratest.Server
	env  []string
}

func newProc(t *testing.T, users int) *proc {
	t.Helper()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 3, Users: users, Now: time.Now()})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	fake := jiratest.NewServer(t, jiratest.WithOrg(org))
	return &proc{fake: fake, env: append(os.Environ(), "SEATWARDEN_CLI_MAIN=1", "TMPDIR="+t.TempDir(),
		"JIRA_URL="+fake.URL, "JIRA_TOKEN="+fake.Credentials().DCToken, "SEATWARDEN_PLAN_KEY=")}
}

func (p *proc) command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(slices.Clone(p.env), env...)
	return cmd
}

// run runs the program with args and the extra environment env.
func (p *proc) run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := p.command(ctx, env, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code, out.String(), errOut.String()}
}

// writes lists the requests to the fake that are not reads.
func (p *proc) writes() []string {
	var out []string
	for _, r := range p.fake.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

const procPolicy = `version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}"}
policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 90}
    actions: [{action: deactivate}]
    limits: {maxUsers: %LIMIT%}
`

func writeProcPolicy(t *testing.T, dir, limit string) string {
	t.Helper()
	path := filepath.Join(dir, "policy.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(procPolicy, "%LIMIT%", limit)), 0o600))
	return path
}

type planFile = map[string]any

// planOut plans the policy (limit 1000) in dir with the program and
// returns the plan file it wrote.
func (p *proc) planOut(t *testing.T, dir string, env []string) string {
	t.Helper()
	planPath := filepath.Join(dir, "plan.json")
	r := p.run(t, env, "plan", "--policy", writeProcPolicy(t, dir, "1000"), "--out", planPath)
	require.Equal(t, exitOK, r.code, r.stderr)
	return planPath
}

func readPlanFile(t *testing.T, path string) planFile {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var m planFile
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

func (p *proc) userWhere(t *testing.T, ok func(jira.User) bool) map[string]any {
	t.Helper()
	for _, u := range p.fake.Users() {
		if ok(u) {
			return map[string]any{"key": u.Key, "name": u.Name, "displayName": u.DisplayName}
		}
	}
	t.Fatal("no such user")
	return nil
}

// TestApplyTamperedPlanFiles edits a plan file as its reader could, and
// applies it with the program: each edit is refused (exit code 3) and the
// fake receives no write.
func TestApplyTamperedPlanFiles(t *testing.T) {
	t.Parallel()
	p := newProc(t, 150)
	dir := t.TempDir()
	planPath := p.planOut(t, dir, nil)
	overLimit := filepath.Join(dir, "over.json")
	r := p.run(t, nil, "plan", "--policy", writeProcPolicy(t, t.TempDir(), "2"), "--out", overLimit)
	require.Equal(t, exitRefused, r.code, r.stderr) // plan exits 3 on a plan apply refuses, but writes it
	require.Contains(t, r.stdout, "REFUSED")
	require.FileExists(t, overLimit)

	isAdmin := func(u jira.User) bool { return u.Active && slices.Contains(u.Groups, "jira-administrators") }
	recent := func(u jira.User) bool {
		return u.Active && u.LastLogin.Known && time.Since(u.LastLogin.Time) < 15*24*time.Hour && !isAdmin(u)
	}
	// one keeps the plan's first user: a smaller plan is still a plan of
	// its policy.
	one := func(m planFile) map[string]any {
		plan := m["plan"].(map[string]any)
		users := plan["users"].([]any)
		require.NotEmpty(t, users)
		plan["users"] = users[:1]
		return users[0].(map[string]any)
	}
	cases := map[string]struct {
		from   string
		env    []string
		tamper func(m planFile)
		want   string
	}{
		"empty fingerprint": {tamper: func(m planFile) { one(m)["fingerprint"] = "" }, want: "no fingerprint"},
		"deactivate turned into delete": {tamper: func(m planFile) {
			u := one(m)
			u["fingerprint"] = ""
			u["steps"] = []any{map[string]any{"kind": "delete"}}
		}, want: "steps refused"},
		"administrators group added": {tamper: func(m planFile) {
			one(m)["steps"] = []any{map[string]any{"kind": "add-group", "group": "jira-administrators"}}
		}, want: "steps refused"},
		"limit zeroed": {from: overLimit, tamper: func(m planFile) {
			for _, l := range m["plan"].(map[string]any)["limits"].([]any) {
				delete(l.(map[string]any), "maxUsers")
			}
		}, want: "blast-radius limit exceeded"},
		"policyFiles removed": {tamper: func(m planFile) { delete(m, "policyFiles") }, want: "names no policy file"},
		"policy hash changed": {tamper: func(m planFile) {
			m["plan"].(map[string]any)["policies"].([]any)[0].(map[string]any)["hash"] = "sha256:00"
		}, want: "changed since the plan was made"},
		"site removed":           {tamper: func(m planFile) { delete(m["plan"].(map[string]any), "site") }, want: "names no site"},
		"site changed":           {tamper: func(m planFile) { m["plan"].(map[string]any)["site"] = "https://other.example.com" }, want: "the plan is for site https://other.example.com"},
		"protected user added":   {tamper: func(m planFile) { one(m)["user"] = p.userWhere(t, isAdmin) }, want: "steps refused"},
		"recent user added":      {tamper: func(m planFile) { one(m)["user"] = p.userWhere(t, recent) }, want: "steps refused"},
		"unsigned, key required": {env: []string{"SEATWARDEN_PLAN_KEY=k1"}, tamper: func(planFile) {}, want: "not signed"},
		"trailing data":          {tamper: nil, want: "trailing data"},
	}
	for name, tc := range cases {
		from := cmpOrString(tc.from, planPath)
		m := readPlanFile(t, from)
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		var data []byte
		if tc.tamper != nil {
			tc.tamper(m)
			var err error
			data, err = json.Marshal(m)
			require.NoError(t, err)
		} else {
			var err error
			data, err = os.ReadFile(from)
			require.NoError(t, err)
			data = append(data, []byte(`{"plan": {}}`)...)
		}
		require.NoError(t, os.WriteFile(path, data, 0o600))
		p.fake.ResetStats()
		r := p.run(t, tc.env, "apply", "--plan", path, "--journal", filepath.Join(dir, name+".journal"))
		assert.NotEqual(t, exitOK, r.code, "%s: %s", name, r.stdout)
		if tc.tamper != nil {
			assert.Equal(t, exitRefused, r.code, "%s: %s", name, r.stderr)
		}
		assert.Contains(t, r.stdout+r.stderr, tc.want, name)
		assert.Empty(t, p.writes(), "%s: no write reaches Jira", name)
	}
}

// TestSignedPlans: with SEATWARDEN_PLAN_KEY, plan --out signs and apply
// applies only a plan signed with the same key, unchanged.
func TestSignedPlans(t *testing.T) {
	t.Parallel()
	p := newProc(t, 60)
	dir := t.TempDir()
	key := []string{"SEATWARDEN_PLAN_KEY=secret-one"}
	planPath := p.planOut(t, dir, key)
	m := readPlanFile(t, planPath)
	require.Contains(t, m["signature"], "hmac-sha256:")

	// Another key, and an edit under the right key, are refused.
	p.fake.ResetStats()
	r := p.run(t, []string{"SEATWARDEN_PLAN_KEY=secret-two"}, "apply", "--plan", planPath, "--journal", filepath.Join(dir, "a.journal"))
	assert.Equal(t, exitRefused, r.code, r.stderr)
	assert.Contains(t, r.stderr, "signature does not match")
	m["plan"].(map[string]any)["created"] = "2020-01-01T00:00:00Z"
	edited := filepath.Join(dir, "edited.json")
	data, err := json.MarshalIndent(m, "", "\t")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(edited, data, 0o600))
	r = p.run(t, key, "apply", "--plan", edited, "--journal", filepath.Join(dir, "b.journal"))
	assert.Equal(t, exitRefused, r.code, r.stderr)
	assert.Empty(t, p.writes())

	r = p.run(t, key, "apply", "--plan", planPath, "--journal", filepath.Join(dir, "c.journal"))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "applied")
	assert.NotEmpty(t, p.writes())
}

// TestConcurrentApplies starts several applies of one plan at once, with
// the default journal: one writes, the others refuse (the journal is in
// use) or, started after it ended, resume and find nothing left to do.
// Each step is written once and every journal line is readable.
func TestConcurrentApplies(t *testing.T) {
	t.Parallel()
	p := newProc(t, 60)
	dir := t.TempDir()
	planPath := p.planOut(t, dir, nil)
	m := readPlanFile(t, planPath)
	plan := m["plan"].(map[string]any)
	steps := int(plan["counts"].(map[string]any)["deactivate"].(float64))
	require.Positive(t, steps)
	p.fake.ResetStats()

	const n = 4
	results := make(chan result, n)
	for range n {
		go func() { results <- p.run(t, nil, "apply", "--plan", planPath) }()
	}
	ok := 0
	for range n {
		r := <-results
		switch r.code {
		case exitOK:
			ok++
		case exitRefused:
			assert.Contains(t, r.stderr, "in use by another process")
		default:
			t.Errorf("exit code %d: %s", r.code, r.stderr)
		}
	}
	assert.GreaterOrEqual(t, ok, 1)
	deactivations := 0
	for _, w := range p.writes() {
		if w == "PUT /rest/api/2/user" {
			deactivations++
		}
	}
	assert.Equal(t, steps, deactivations, "each step written once")

	journal := filepath.Join(p.tmp(), "seatwarden-"+plan["id"].(string)+".journal")
	data, err := os.ReadFile(journal)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	outcomes := 0
	for i, l := range lines {
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &e), "journal line %d", i+1)
		if e["type"] == "outcome" && e["outcome"] == "applied" {
			outcomes++
		}
	}
	assert.Equal(t, steps, outcomes)
}

func (p *proc) tmp() string {
	for _, e := range p.env {
		if v, ok := strings.CutPrefix(e, "TMPDIR="); ok {
			return v
		}
	}
	return os.TempDir()
}
