package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

// TestUsersJSONSameAsCLI: GET /api/v1/users answers the same users, in the
// same shape (report.User), as the CLI's 'users list --output json' on the
// same generated organisation: ../cli/testdata/users-shared.golden is the
// CLI's output (examples/cli TestUsersJSONShared).
func TestUsersJSONSameAsCLI(t *testing.T) {
	t.Parallel()
	// The CLI test's criterion (examples/cli sharedWhere).
	const where = `active && daysSinceLastLogin > 365 && !("nobody" in groups) && !("none" in licences)`
	cliOut, err := os.ReadFile("../cli/testdata/users-shared.golden")
	require.NoError(t, err)
	e := newEnv(t, `policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`, 0)
	code, b := e.do(http.MethodGet, "/api/v1/users?where="+urlEscape(where), nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var answer struct {
		Users json.RawMessage `json:"users"`
	}
	require.NoError(t, json.Unmarshal(b, &answer))
	assert.JSONEq(t, string(cliOut), string(answer.Users))
	assert.NotContains(t, string(b), `\u00`, "no HTML escaping")
}

// normalizeDoc replaces in a plan or run document what differs between
// two runs of one plan — ids, times, the site's URL — as the CLI's test
// does (examples/cli normalizeDoc), and drops the server's links.
func normalizeDoc(t *testing.T, doc []byte) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(doc, &m), string(doc))
	for _, k := range []string{"id", "planId", "created", "started", "finished", "site"} {
		if _, ok := m[k]; ok {
			m[k] = k + "-NORMALISED"
		}
	}
	delete(m, "links")
	b, err := report.MarshalJSON(m)
	require.NoError(t, err)
	return string(b)
}

// TestPlanAndRunJSONSameAsCLI: the server's plan (POST /api/v1/plans) and
// run (POST …/apply, GET /api/v1/runs/{id}, and GET /api/v1/runs without
// results) of the CLI test's policy on the same generated organisation
// are the documents the CLI writes ('plan --out -', 'run --apply --output
// json'): ../cli/testdata/plan-shared.golden and run-shared.golden
// (examples/cli TestPlanAndRunJSONShared), ids, times and the site
// normalised.
func TestPlanAndRunJSONSameAsCLI(t *testing.T) {
	t.Parallel()
	wantPlan, err := os.ReadFile("../cli/testdata/plan-shared.golden")
	require.NoError(t, err)
	wantRun, err := os.ReadFile("../cli/testdata/run-shared.golden")
	require.NoError(t, err)
	// The CLI test's policy (examples/cli sharedPolicy).
	e := newEnv(t, `policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`, 0)
	code, b := e.do(http.MethodPost, "/api/v1/plans", map[string]any{"policies": []string{"inactive"}})
	require.Equal(t, http.StatusCreated, code, string(b))
	var created struct {
		ID   string          `json:"id"`
		Plan json.RawMessage `json:"plan"`
	}
	require.NoError(t, json.Unmarshal(b, &created))
	assert.Equal(t, string(wantPlan), normalizeDoc(t, created.Plan))

	code, b = e.do(http.MethodPost, "/api/v1/plans/"+created.ID+"/apply", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var applied struct {
		Run json.RawMessage `json:"run"`
	}
	require.NoError(t, json.Unmarshal(b, &applied))
	assert.Equal(t, string(wantRun), normalizeDoc(t, applied.Run), "POST apply")
	var run struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(applied.Run, &run))

	code, b = e.do(http.MethodGet, "/api/v1/runs/"+run.ID, nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Equal(t, string(wantRun), normalizeDoc(t, b), "GET /api/v1/runs/{id}")

	code, b = e.do(http.MethodGet, "/api/v1/runs", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var list struct {
		Runs []json.RawMessage `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(b, &list))
	require.Len(t, list.Runs, 1)
	var want map[string]any
	require.NoError(t, json.Unmarshal(wantRun, &want))
	delete(want, "results") // a list of runs leaves them out
	wb, err := report.MarshalJSON(want)
	require.NoError(t, err)
	assert.Equal(t, string(wb), normalizeDoc(t, list.Runs[0]), "GET /api/v1/runs")
}

// TestRunJSONLimitOverride: a run the history holds with a limit override
// shows it in GET /api/v1/runs/{id} and GET /api/v1/runs; one without
// has no limitOverride member.
func TestRunJSONLimitOverride(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
`, 0)
	over := &actions.LimitOverride{Reason: "office closed, CHG-12", Limit: `policy "inactive" changes 3 users (limit: max 2 users)`}
	for id, o := range map[string]*actions.LimitOverride{"run-over": over, "run-within": nil} {
		require.NoError(t, e.store.SaveRun(t.Context(), &report.Report{RunID: id, PlanID: "plan-" + id, Policies: []string{"inactive"},
			Site: e.fake.URL, Started: testNow.Add(-time.Hour), Finished: testNow.Add(-time.Minute),
			Counts: map[actions.Outcome]int{}, LimitOverride: o}))
	}
	code, b := e.do(http.MethodGet, "/api/v1/runs/run-over", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Contains(t, string(b), `"limitOverride": {
    "reason": "office closed, CHG-12",
    "limit": "policy \"inactive\" changes 3 users (limit: max 2 users)"
  }`)
	code, b = e.do(http.MethodGet, "/api/v1/runs/run-within", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.NotContains(t, string(b), "limitOverride")
	code, b = e.do(http.MethodGet, "/api/v1/runs", nil)
	require.Equal(t, http.StatusOK, code, string(b))
	assert.Equal(t, 1, strings.Count(string(b), `"reason": "office closed, CHG-12"`))
}
