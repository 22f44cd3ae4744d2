package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/report/metrics/metricstest"
)

func scrape(t *testing.T, m *metrics.Metrics) metricstest.Samples {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	s, err := metricstest.Scrape(srv.Client(), srv.URL, "")
	require.NoError(t, err)
	return s
}

func TestRequestsWaitsAndSnapshots(t *testing.T) {
	m := metrics.New(metrics.Options{})
	const site = "jira.example.com"
	events := []jira.RequestEvent{
		{Site: site, Method: "GET", Status: 200},
		{Site: site, Method: "GET", Status: 200, Wait: 500 * time.Microsecond}, // a token at once: no wait
		{Site: site, Method: "GET", Status: 429, Wait: 250 * time.Millisecond},
		{Site: site, Method: "GET", Status: 200, Backoff: 2 * time.Second, Wait: 750 * time.Millisecond},
		{Site: site, Method: "POST", Status: 0},
		{Site: "api.atlassian.com", Method: "POST", Status: 429},
	}
	for _, e := range events {
		m.ObserveRequest(e)
	}
	m.ObserveSnapshot(jira.SnapshotEvent{Site: site, Users: 1200, Duration: 3 * time.Second})
	m.ObserveSnapshot(jira.SnapshotEvent{Site: site, Users: 1250, Duration: 40 * time.Second})
	m.ObserveSnapshot(jira.SnapshotEvent{Site: site, Users: 10, Duration: time.Second, Err: errors.New("boom")})

	s := scrape(t, m)
	assert.Equal(t, map[string]float64{"200": 3, "429": 1, "none": 1}, s.By("seatwarden_jira_requests_total", "status", "site", site))
	assert.Equal(t, 4.0, s.Value("seatwarden_jira_requests_total", "site", site, "method", "GET"))
	assert.Equal(t, 1.0, s.Value("seatwarden_jira_rate_limited_total", "site", site))
	assert.Equal(t, 1.0, s.Value("seatwarden_jira_rate_limited_total", "site", "api.atlassian.com"))
	assert.Equal(t, 2.0, s.Value("seatwarden_jira_rate_limit_waits_total", "site", site, "kind", "limiter"), "waits under 1 ms are no waits")
	assert.InDelta(t, 1.0, s.Value("seatwarden_jira_rate_limit_wait_seconds_total", "site", site, "kind", "limiter"), 1e-9)
	assert.Equal(t, 1.0, s.Value("seatwarden_jira_rate_limit_waits_total", "site", site, "kind", "backoff"))
	assert.Equal(t, 2.0, s.Value("seatwarden_jira_rate_limit_wait_seconds_total", "site", site, "kind", "backoff"))

	assert.Equal(t, 2.0, s.Value("seatwarden_snapshot_duration_seconds_count", "site", site))
	assert.Equal(t, 43.0, s.Value("seatwarden_snapshot_duration_seconds_sum", "site", site))
	assert.Equal(t, 1.0, s.Value("seatwarden_snapshot_duration_seconds_bucket", "site", site, "le", "5"))
	assert.Equal(t, 1250.0, s.Value("seatwarden_snapshot_users", "site", site), "the last snapshot read to the end")
	assert.Equal(t, 1.0, s.Value("seatwarden_snapshot_errors_total", "site", site))
	_, ok := s.Sum("go_goroutines")
	assert.True(t, ok, "the Go runtime's metrics are served too")
}

func result(kind actions.StepKind, o actions.Outcome) actions.Result {
	return actions.Result{Step: actions.Step{Kind: kind}, Outcome: o}
}

func TestRunsStepsAndLastSuccess(t *testing.T) {
	m := metrics.New(metrics.Options{})
	ctx := context.Background()
	first := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	ok := &report.Report{Policies: []string{"deactivate-inactive"}, Finished: first,
		Results: []actions.Result{result(actions.KindDeactivate, actions.Applied), result(actions.KindDeactivate, actions.Applied),
			result(actions.KindRemoveGroup, actions.NoOp)},
		Counts: map[actions.Outcome]int{actions.Applied: 2, actions.NoOp: 1}}
	bad := &report.Report{Policies: []string{"deactivate-inactive", "tidy-groups"}, Finished: first.Add(time.Hour),
		Results: []actions.Result{result(actions.KindDeactivate, actions.Failed), result(actions.KindRemoveGroup, actions.Applied)},
		Counts:  map[actions.Outcome]int{actions.Failed: 1, actions.Applied: 1}}
	dry := &report.Report{Policies: []string{"tidy-groups"}, DryRun: true, Finished: first.Add(2 * time.Hour),
		Results: []actions.Result{result(actions.KindRemoveGroup, actions.Planned)}, Counts: map[actions.Outcome]int{actions.Planned: 1}}
	for _, r := range []*report.Report{ok, bad, dry} {
		require.NoError(t, m.Sink().Write(ctx, r))
	}

	// A run whose report reached the sink is not counted again by End; one
	// that ended without a report is.
	reported := m.Begin(ctx)
	require.NoError(t, m.Sink().Write(reported, ok))
	m.End(reported, []string{"deactivate-inactive"}, metrics.Error, false)
	m.End(m.Begin(ctx), []string{"deactivate-inactive"}, metrics.Refused, false)
	m.End(m.Begin(ctx), []string{"approve-me"}, metrics.Pending, false)

	s := scrape(t, m)
	assert.Equal(t, map[string]float64{"succeeded": 2, "failed": 1, "refused": 1},
		s.By("seatwarden_runs_total", "outcome", "policy", "deactivate-inactive"))
	assert.Equal(t, 1.0, s.Value("seatwarden_runs_total", "policy", "tidy-groups", "outcome", "succeeded", "mode", "dry-run"))
	assert.Equal(t, 1.0, s.Value("seatwarden_runs_total", "policy", "tidy-groups", "outcome", "failed", "mode", "apply"))
	assert.Equal(t, 1.0, s.Value("seatwarden_runs_total", "policy", "approve-me", "outcome", "pending"))
	assert.Equal(t, map[string]float64{"applied": 4, "failed": 1}, s.By("seatwarden_steps_total", "outcome", "action", string(actions.KindDeactivate)))
	assert.Equal(t, map[string]float64{"applied": 1, "noop": 2, "planned": 1}, s.By("seatwarden_steps_total", "outcome", "action", string(actions.KindRemoveGroup)))
	// The failed run an hour later did not move deactivate-inactive's
	// last success; the dry run moved tidy-groups'.
	assert.Equal(t, float64(first.Unix()), s.Value("seatwarden_last_success_timestamp_seconds", "policy", "deactivate-inactive"))
	assert.Equal(t, float64(first.Add(2*time.Hour).Unix()), s.Value("seatwarden_last_success_timestamp_seconds", "policy", "tidy-groups"))
}

func TestPendingApprovals(t *testing.T) {
	now := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	var recorded []time.Time
	var fail error
	m := metrics.New(metrics.Options{Now: func() time.Time { return now },
		Pending: func(context.Context) ([]time.Time, error) { return recorded, fail }})

	s := scrape(t, m)
	v, found := s.Sum("seatwarden_approvals_pending")
	assert.True(t, found)
	assert.Zero(t, v)
	assert.Zero(t, s.Value("seatwarden_approvals_oldest_pending_seconds"))

	recorded = []time.Time{now.Add(-time.Hour), now.Add(-50 * time.Hour), now.Add(-time.Minute)}
	s = scrape(t, m)
	assert.Equal(t, 3.0, s.Value("seatwarden_approvals_pending"))
	assert.Equal(t, (50 * time.Hour).Seconds(), s.Value("seatwarden_approvals_oldest_pending_seconds"))

	// A store that cannot be read leaves out the approvals, not the rest.
	fail = errors.New("database is locked")
	m.ObserveRequest(jira.RequestEvent{Site: "s", Method: "GET", Status: 200})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	s, err = metricstest.Parse(resp.Body)
	require.NoError(t, err)
	_, found = s.Sum("seatwarden_approvals_pending")
	assert.False(t, found)
	assert.Equal(t, 1.0, s.Value("seatwarden_jira_requests_total", "site", "s"))
}
