package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/metrics/metricstest"
)

// scrape reads the service's /metrics with the API token.
func (e *env) scrape() metricstest.Samples {
	e.t.Helper()
	s, err := metricstest.Scrape(e.ts.Client(), e.ts.URL+"/metrics", testToken)
	require.NoError(e.t, err)
	return s
}

// TestMetricsAfterApprovedRun: /metrics is behind the API token, and
// after a plan is approved and applied its counters are the run's own
// results and the requests the fake received (one 429 included).
func TestMetricsAfterApprovedRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, approvalPolicy, 0)
	e.registerWebhook("", testSecret, "jira:issue_updated")
	code, _ := e.doAs("", http.MethodGet, "/metrics", nil)
	assert.Equal(t, http.StatusUnauthorized, code, "the metrics are behind the API token")

	e.fake.ResetStats()
	before := e.scrape()
	// Jira answers the first request 429 (Retry-After 1 s): the client
	// waits and sends it again.
	e.fake.Script("", jiratest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
	v := e.plan("inactive")
	require.Equal(t, history.PlanPending, v.Status)
	pending, err := e.store.Plans(t.Context(), history.PlanPending)
	require.NoError(t, err)
	s := e.scrape()
	assert.Equal(t, float64(len(pending)), s.Value("seatwarden_approvals_pending"))
	assert.Equal(t, 1.0, s.Value("seatwarden_approvals_pending"))
	assert.Zero(t, s.Value("seatwarden_runs_total"), "a plan waiting for approval is no run")

	require.NoError(t, e.fake.Transition(v.IssueKey, "Approve"))
	v = e.waitStatus(v.ID, history.PlanApplied)
	e.fake.WaitWebhooks()
	code, b := e.do(http.MethodGet, "/api/v1/runs/"+v.RunID, nil)
	require.Equal(t, http.StatusOK, code, string(b))
	var run runView
	require.NoError(t, json.Unmarshal(b, &run))
	require.NotEmpty(t, run.Results)

	after := e.scrape()
	delta := func(name string, match ...string) float64 {
		return after.Value(name, match...) - before.Value(name, match...)
	}
	outcome := "succeeded"
	if run.Counts[actions.Failed] > 0 {
		outcome = "failed"
	}
	assert.Equal(t, 1.0, after.Value("seatwarden_runs_total", "policy", "inactive", "outcome", outcome, "mode", "apply"))
	assert.Equal(t, 1.0, after.Value("seatwarden_runs_total"), "one run in all")
	byOutcome := map[string]float64{}
	for _, r := range run.Results {
		byOutcome[string(r.Outcome)]++
	}
	assert.Equal(t, byOutcome, after.By("seatwarden_steps_total", "outcome", "action", string(actions.KindDeactivate)))
	if outcome == "succeeded" {
		assert.Equal(t, float64(run.Finished.Unix()), float64(int64(after.Value("seatwarden_last_success_timestamp_seconds", "policy", "inactive"))))
	}
	assert.Zero(t, after.Value("seatwarden_approvals_pending"), "the plan is applied")

	// The requests: those the fake received since the baseline, by method
	// and by status.
	methods, statuses := map[string]float64{}, map[string]float64{}
	for _, r := range e.fake.Requests() {
		methods[r.Method]++
		statuses[strconv.Itoa(r.Status)]++
	}
	require.Equal(t, 1.0, statuses["429"], "the scripted 429")
	assert.Equal(t, float64(e.fake.TotalRequests()), delta("seatwarden_jira_requests_total"))
	for m, n := range methods {
		assert.Equal(t, n, delta("seatwarden_jira_requests_total", "method", m), "method %s", m)
	}
	for st, n := range statuses {
		assert.Equal(t, n, delta("seatwarden_jira_requests_total", "status", st), "status %s", st)
	}
	assert.Equal(t, 1.0, delta("seatwarden_jira_rate_limited_total"))
	assert.Equal(t, 1.0, delta("seatwarden_jira_rate_limit_waits_total", "kind", "backoff"))
	assert.GreaterOrEqual(t, delta("seatwarden_jira_rate_limit_wait_seconds_total", "kind", "backoff"), 1.0)

	// The snapshots: the plan's and the verification's at apply, each of
	// every user of the site.
	assert.GreaterOrEqual(t, delta("seatwarden_snapshot_duration_seconds_count"), 2.0)
	assert.Equal(t, float64(len(e.fake.Users())), after.Value("seatwarden_snapshot_users"))
	assert.Zero(t, after.Value("seatwarden_snapshot_errors_total"))
}

// TestMetricsAddr: with --metrics-addr (or SEATWARDEN_METRICS_ADDR) the
// metrics are served there without the token, and not on the API's
// address; without it, on the API's address behind the token.
func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"flag", "env", "none"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			env := map[string]string{"SEATWARDEN_API_TOKEN": testToken, "SEATWARDEN_WEBHOOK_SECRET": testSecret}
			args := []string{"--addr", "127.0.0.1:0", "--demo", "--demo-users", "50", "--data-dir", t.TempDir()}
			switch how {
			case "flag":
				args = append(args, "--metrics-addr", "127.0.0.1:0")
			case "env":
				env["SEATWARDEN_METRICS_ADDR"] = "127.0.0.1:0"
			}
			outR, outW := io.Pipe()
			errR, errW := io.Pipe()
			p := program{getenv: func(k string) string { return env[k] }, stdout: outW, stderr: errW}
			done := make(chan int, 1)
			go func() {
				done <- p.run(ctx, args)
				outW.Close()
				errW.Close()
			}()
			// stderr is read from the start: the server logs before it prints its URL.
			metricsURL := make(chan string, 1)
			go func() {
				re := regexp.MustCompile(`"msg":"serving metrics","url":"([^"]+)"`)
				ls := bufio.NewScanner(errR)
				for ls.Scan() {
					if m := re.FindStringSubmatch(ls.Text()); m != nil {
						metricsURL <- m[1]
					}
				}
			}()
			sc := bufio.NewScanner(outR)
			require.True(t, sc.Scan())
			base := sc.Text()
			go func() { _, _ = io.Copy(io.Discard, outR) }()

			if how == "none" {
				s, err := metricstest.Scrape(http.DefaultClient, base+"/metrics", testToken)
				require.NoError(t, err)
				_, ok := s.Sum("seatwarden_approvals_pending")
				assert.True(t, ok)
				_, err = metricstest.Scrape(http.DefaultClient, base+"/metrics", "")
				assert.ErrorContains(t, err, "401")
			} else {
				var u string
				select {
				case u = <-metricsURL:
				case <-time.After(30 * time.Second):
					t.Fatal("no \"serving metrics\" record")
				}
				assert.Regexp(t, `^http://127\.0\.0\.1:\d+/metrics$`, u)
				s, err := metricstest.Scrape(http.DefaultClient, u, "")
				require.NoError(t, err, "no token on the metrics' own address")
				_, ok := s.Sum("seatwarden_approvals_pending")
				assert.True(t, ok)
				_, err = metricstest.Scrape(http.DefaultClient, base+"/metrics", testToken)
				assert.ErrorContains(t, err, "404", "not on the API's address")
			}
			cancel()
			assert.Equal(t, exitOK, <-done)
		})
	}
}
