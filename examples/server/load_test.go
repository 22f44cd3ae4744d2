package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// TestLoad (issue 19) runs 50 concurrent clients against the server in
// front of a fake DC site that rate-limits (10 requests/s, burst 20), over
// loopback, with a mix of users, plans (an approval policy and a plain
// one), insights and applies. It runs 5 s by default; the figures in the
// README come from SEATWARDEN_LOAD=60s (and SEATWARDEN_LOAD_USERS=3000).
// Targets: every request answered (2xx, a 409/422 of a plan already
// applied or refused, or the server's own 429/503 with Retry-After); no
// 502; the fake's accepted requests never above its bucket (rate × window
// + burst); one approval issue per distinct approval plan.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	t.Parallel()
	d, users := 5*time.Second, 300
	if v := os.Getenv("SEATWARDEN_LOAD"); v != "" {
		var err error
		d, err = time.ParseDuration(v)
		require.NoError(t, err)
	}
	if v := os.Getenv("SEATWARDEN_LOAD_USERS"); v != "" {
		_, _ = fmt.Sscan(v, &users)
	}
	const clients, rate, burst = 50, 10.0, 20
	now := time.Now()
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 11, Users: users, Now: now})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	fake := jiratest.NewServer(t, jiratest.WithOrg(org), jiratest.WithRateLimit(rate, burst))
	require.NoError(t, fake.AddGroup("staff"))
	src := fmt.Sprintf(`version: 1
sites:
  jira: {url: %q, flavor: dc, token: "${JIRA_TOKEN}"}
policies:
  - name: inactive
    users: {where: active && daysSinceLastLogin > 365}
    actions: [{action: deactivate}]
    approval: {project: %s, issueType: Task}
  - name: recent-staff
    users: {where: 'active && daysSinceLastLogin <= 3 && !inGroup("staff")'}
    actions: [{action: addGroups, groups: [staff]}]
`, fake.URL, org.Projects[0].Key)
	set, err := usermgmt.Parse([]byte(src), usermgmt.YAML,
		usermgmt.WithLookupEnv(func(k string) (string, bool) { return fake.Credentials().DCToken, k == "JIRA_TOKEN" }))
	require.NoError(t, err)
	dir := t.TempDir()
	store, err := history.OpenSQLite(t.Context(), filepath.Join(dir, "history.db"))
	require.NoError(t, err)
	defer store.Close()
	srv, err := newServer(t.Context(), serverConfig{file: set, store: store, apiToken: testToken, dataDir: dir,
		publicURL: "http://127.0.0.1", log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer srv.stop()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	type sample struct {
		op      string
		code    int
		retry   string
		latency time.Duration
	}
	var mu sync.Mutex
	var samples []sample
	var deadline time.Time
	call := func(ctx context.Context, op, method, path string, body any) (int, []byte) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequestWithContext(ctx, method, ts.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+testToken)
		start := time.Now()
		resp, err := ts.Client().Do(req)
		s := sample{op: op, latency: time.Since(start)}
		var out []byte
		if err == nil {
			out, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			s.code, s.retry = resp.StatusCode, resp.Header.Get("Retry-After")
		}
		mu.Lock()
		samples = append(samples, s)
		mu.Unlock()
		if s.code == http.StatusTooManyRequests || s.code == http.StatusServiceUnavailable {
			// A well-behaved client waits as told.
			var secs int
			_, _ = fmt.Sscan(s.retry, &secs)
			time.Sleep(min(time.Duration(secs)*time.Second, max(time.Until(deadline), 0)))
		}
		return s.code, out
	}
	deadline = time.Now().Add(d)
	ctx, cancel := context.WithTimeout(t.Context(), d+5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				switch (c + i) % 8 {
				case 0, 1, 2:
					call(ctx, "users", http.MethodGet, "/api/v1/users?where=active", nil)
				case 3:
					call(ctx, "plan-approval", http.MethodPost, "/api/v1/plans", map[string]any{"policies": []string{"inactive"}})
				case 4, 5:
					call(ctx, "insights", http.MethodGet, "/insights", nil)
				case 6, 7:
					code, b := call(ctx, "plan", http.MethodPost, "/api/v1/plans", map[string]any{"policies": []string{"recent-staff"}})
					var v planView
					if code == http.StatusCreated && json.Unmarshal(b, &v) == nil {
						call(ctx, "apply", http.MethodPost, "/api/v1/plans/"+v.ID+"/apply", nil)
					}
				}
			}
		})
	}
	wg.Wait()

	// Figures.
	byOp := map[string][]sample{}
	codes := map[int]int{}
	for _, s := range samples {
		byOp[s.op] = append(byOp[s.op], s)
		codes[s.code]++
	}
	pct := func(ss []sample, p float64) time.Duration {
		ls := make([]time.Duration, len(ss))
		for i, s := range ss {
			ls[i] = s.latency
		}
		slices.Sort(ls)
		return ls[min(len(ls)-1, int(float64(len(ls))*p))]
	}
	rr := fake.RateReport()
	issues := fake.Count("POST /rest/api/2/issue")
	pending, err := store.Plans(t.Context(), history.PlanPending)
	require.NoError(t, err)
	t.Logf("load: %d clients for %s against a fake DC site of %d users at %.0f req/s, burst %d", clients, d, users, rate, burst)
	t.Logf("requests served: %d; status codes: %v", len(samples), codes)
	for _, op := range []string{"users", "plan-approval", "plan", "apply", "insights"} {
		if ss := byOp[op]; len(ss) > 0 {
			t.Logf("  %-13s %5d requests  p50 %8s  p99 %8s", op, len(ss), pct(ss, 0.5).Round(time.Millisecond), pct(ss, 0.99).Round(time.Millisecond))
		}
	}
	t.Logf("fake: %d requests, %d answered 429, most accepted above its bucket in any window: %d", rr.Requests, rr.Limited, rr.Overshoot)
	t.Logf("approval issues filed: %d; distinct approval plans pending: %d", issues, len(pending))

	for _, s := range samples {
		switch s.code {
		case http.StatusOK, http.StatusCreated, http.StatusConflict, http.StatusUnprocessableEntity:
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			assert.NotEmpty(t, s.retry, "%s: %d without Retry-After", s.op, s.code)
		default:
			assert.Failf(t, "unexpected answer", "%s: %d", s.op, s.code)
		}
	}
	assert.Zero(t, codes[http.StatusBadGateway], "no 502")
	assert.Zero(t, rr.Overshoot, "the fake never accepted more than its bucket")
	assert.Equal(t, len(pending), issues, "one approval issue per distinct plan")
}
