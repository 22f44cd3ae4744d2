package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// TestSeveralPoliciesOneSchedule (issue 19): four policies due at the same
// time against a site that rate-limits (10 requests/s, burst 20) share one
// client, one limiter and their snapshots: every run succeeds and the site
// never accepts more than its bucket.
func TestSeveralPoliciesOneSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	t.Parallel()
	const rate, burst = 10.0, 20
	org := jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 5, Users: 150, Now: time.Now()})
	for i := range org.Directories {
		org.Directories[i].ReadOnly = false
	}
	fake := jiratest.New(jiratest.WithOrg(org), jiratest.WithRateLimit(rate, burst))
	require.NoError(t, fake.AddGroup("staff"))
	dir := t.TempDir()
	path := filepath.Join(dir, "policies.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`version: 1
sites:
  jira: {url: "${JIRA_URL}", token: "${JIRA_TOKEN}", flavor: dc}
policies:
  - name: inactive-2y
    when: {schedule: "@daily"}
    users: {where: active && daysSinceLastLogin > 730 && accountType == "atlassian"}
    actions: [{action: deactivate}]
  - name: inactive-1y-unlicence
    when: {schedule: "@daily"}
    users: {where: active && daysSinceLastLogin > 1500}
    actions: [{action: removeAllLicences}]
  - name: recent-staff
    when: {schedule: "@daily"}
    users: {where: 'active && daysSinceLastLogin <= 7'}
    actions: [{action: addGroups, groups: [staff]}]
  - name: never-logged-in
    when: {schedule: "@daily"}
    users: {where: active && daysSinceLastLogin > 5000}
    actions: [{action: deactivate}]
`), 0o644))
	var logs syncBuffer
	cr := fake.Credentials()
	env := map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": cr.DCToken}
	store := openHistory(t, filepath.Join(dir, "h.db"))
	d := newDaemon(daemonConfig{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Apply: true, Store: store,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Connect: func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
			s.Transport = fake.Transport() // the client's own limiter (DC default 10/s), shared by the four
			return usermgmt.Connect(ctx, s)
		}})
	require.NoError(t, d.Reload(path))
	start := time.Now()
	var wg sync.WaitGroup
	for _, e := range d.runner.Entries() { // due at the same time: all at once
		wg.Go(func() { assert.NoError(t, d.runner.RunNow(t.Context(), e.Name)) })
	}
	wg.Wait()

	rr := fake.RateReport()
	t.Logf("4 policies on one schedule: %d requests in %s, %d answered 429, most above the bucket: %d",
		rr.Requests, time.Since(start).Round(time.Millisecond), rr.Limited, rr.Overshoot)
	assert.Zero(t, rr.Overshoot)
	assert.Len(t, withMsg(records(t, logs.String()), "policy run finished"), 4)
}
