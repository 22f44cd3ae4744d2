package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/report/metrics/metricstest"
)

// TestMetricsAfterRuns runs the daemon with --metrics-addr against the
// fake, a policy every second, and scrapes /metrics between runs: the
// runs, their steps by outcome and the last success are the history's,
// the requests are those the fake received.
func TestMetricsAfterRuns(t *testing.T) {
	t.Parallel()
	for _, apply := range []bool{true, false} {
		t.Run(fmt.Sprintf("apply=%v", apply), func(t *testing.T) {
			t.Parallel()
			testMetricsAfterRuns(t, apply)
		})
	}
}

func testMetricsAfterRuns(t *testing.T, apply bool) {
	dir := t.TempDir()
	fake := newFake(time.Now())
	var stderr syncBuffer
	history := filepath.Join(dir, "history.db")
	args := []string{"--policies", writePolicies(t, dir, "@every 1s"), "--history", history,
		"--journal-dir", filepath.Join(dir, "journals"), "--metrics-addr", "127.0.0.1:0"}
	if apply {
		args = append(args, "--apply")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { done <- testApp(fake, &stderr).run(ctx, args) }()
	defer func() {
		cancel()
		assert.Equal(t, exitOK, <-done)
	}()

	re := regexp.MustCompile(`"msg":"serving metrics","url":"([^"]+)"`)
	var url string
	require.Eventually(t, func() bool {
		m := re.FindStringSubmatch(stderr.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, 30*time.Second, 10*time.Millisecond, "no \"serving metrics\" record: %s", &stderr)
	require.Eventually(t, func() bool { return len(withMsg(records(t, stderr.String()), "policy run finished")) >= 2 },
		time.Minute, 50*time.Millisecond, "two runs: %s", &stderr)

	h := openHistory(t, history)
	mode := "dry-run"
	if apply {
		mode = "apply"
	}
	// Between two runs (scraped twice, unchanged) the metrics are the
	// history's and the fake's.
	var s metricstest.Samples
	var why string
	require.Eventually(t, func() bool {
		first, err := metricstest.Scrape(http.DefaultClient, url, "")
		require.NoError(t, err)
		runs, err := h.Runs(t.Context(), "", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		require.NoError(t, err)
		requests := fake.TotalRequests()
		if s, err = metricstest.Scrape(http.DefaultClient, url, ""); err != nil || s.Value("seatwarden_jira_requests_total") != first.Value("seatwarden_jira_requests_total") {
			why = "a run went on while scraping"
			return false
		}
		steps := map[string]float64{}
		var last time.Time
		for _, r := range runs {
			for o, n := range r.Counts {
				steps[string(o)] += float64(n)
			}
			if r.Finished.After(last) {
				last = r.Finished
			}
		}
		got := s.By("seatwarden_steps_total", "outcome")
		switch {
		case s.Value("seatwarden_runs_total") != float64(len(runs)):
			why = fmt.Sprintf("runs: metrics %v, history %d", s.Value("seatwarden_runs_total"), len(runs))
		case s.Value("seatwarden_runs_total", "policy", "inactive-90-days", "outcome", "succeeded", "mode", mode) != float64(len(runs)):
			why = fmt.Sprintf("runs by outcome: %v", s.By("seatwarden_runs_total", "outcome"))
		case s.Value("seatwarden_jira_requests_total") != float64(requests):
			why = fmt.Sprintf("requests: metrics %v, fake %d", s.Value("seatwarden_jira_requests_total"), requests)
		case fmt.Sprint(got) != fmt.Sprint(steps):
			why = fmt.Sprintf("steps: metrics %v, history %v", got, steps)
		case s.Value("seatwarden_last_success_timestamp_seconds", "policy", "inactive-90-days") != float64(last.UnixNano())/1e9:
			why = fmt.Sprintf("last success: metrics %v, history %v", s.Value("seatwarden_last_success_timestamp_seconds"), last)
		default:
			return true
		}
		return false
	}, time.Minute, 20*time.Millisecond, "the metrics never matched: %s", &why)

	if apply {
		assert.Positive(t, s.Value("seatwarden_steps_total", "action", string(actions.KindDeactivate), "outcome", string(actions.Applied)))
		assert.Positive(t, s.Value("seatwarden_jira_requests_total", "method", http.MethodPut), "the deactivations")
	} else {
		assert.Positive(t, s.Value("seatwarden_steps_total", "action", string(actions.KindDeactivate), "outcome", string(actions.Planned)))
		assert.Zero(t, s.Value("seatwarden_jira_requests_total", "method", http.MethodPut), "a dry run writes nothing")
	}
	assert.Equal(t, float64(len(fake.Users())), s.Value("seatwarden_snapshot_users"))
	assert.Positive(t, s.Value("seatwarden_snapshot_duration_seconds_count"))
	_, ok := s.Sum("seatwarden_approvals_pending")
	assert.True(t, ok, "read from the history")
}

// TestCountedOutcomes: a run that ends without a report is counted by
// how it ended; one that reached its report is not counted twice.
func TestCountedOutcomes(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	d := newDaemon(daemonConfig{Metrics: m, Apply: true})
	jobs := map[string]func(ctx context.Context) error{
		"refused": func(context.Context) error { return fmt.Errorf("plan: %w", actions.ErrLimitExceeded) },
		"error":   func(context.Context) error { return errors.New("snapshot: connection refused") },
		"pending": func(ctx context.Context) error { waitsForApproval(ctx); return nil },
		"nothing": func(context.Context) error { return nil },
		"reported": func(ctx context.Context) error {
			d.reportDryRun(ctx, dryRunReport("r", &actions.Plan{ID: "p", Policies: []actions.PolicyRef{{Name: "reported"}}}, time.Now(), time.Now()))
			return fmt.Errorf("2 %w in run r", errStepsFailed)
		},
	}
	for name, job := range jobs {
		_ = d.counted(name, job)(t.Context())
	}
	s, err := metricstest.Parse(scrapeBody(t, m))
	require.NoError(t, err)
	for name, outcome := range map[string]string{"refused": "refused", "error": "error", "pending": "pending", "nothing": "succeeded", "reported": "succeeded"} {
		assert.Equal(t, map[string]float64{outcome: 1}, s.By("seatwarden_runs_total", "outcome", "policy", name), name)
	}
	assert.Positive(t, s.Value("seatwarden_last_success_timestamp_seconds", "policy", "nothing"), "nothing to do is a success")
	_, pendingOK := s.Sum("seatwarden_last_success_timestamp_seconds", "policy", "pending")
	assert.False(t, pendingOK, "a plan waiting for approval is no success yet")
}

// scrapeBody serves the metrics once, in memory.
func scrapeBody(t *testing.T, m *metrics.Metrics) io.Reader {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body
}
