package jira_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestSnapshotPropertiesBoundByRate reads a property of 400 users with the
// client limited to 50 requests per second and 100 ms of latency, in a
// synctest bubble (virtual time). One read after the other would take
// 400 × 100 ms = 40 s; read 8 at a time through the limiter the run is
// bounded by the rate: about requests / 50 s.
func TestSnapshotPropertiesBoundByRate(t *testing.T) {
	t.Parallel()
	org := benchOrg(400)
	for _, f := range flavours {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := jiratest.New(jiratest.WithOrg(org), jiratest.WithFlavor(f), jiratest.WithLatency(100*time.Millisecond))
				var site jira.Site
				var err error
				if f == jira.DataCenter {
					site, err = datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
						datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(50, 5))
				} else {
					site, err = cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(jiratest.DefaultCloudEmail, jiratest.DefaultCloudToken),
						cloud.WithTransport(s.Transport()), cloud.WithRateLimit(50, 5))
				}
				require.NoError(t, err)
				start := time.Now()
				n := 0
				for _, err := range site.Snapshot(t.Context(), jira.SnapshotOptions{Properties: []string{"seatwarden.exempt"}}) {
					require.NoError(t, err)
					n++
				}
				elapsed := time.Since(start)
				requests := s.TotalRequests()
				bound := time.Duration(float64(requests)/50*float64(time.Second)) + time.Second
				t.Logf("%s: %d users, %d requests in %v (rate bound %v)", f, n, requests, elapsed, bound)
				assert.Equal(t, 401, n)
				assert.GreaterOrEqual(t, requests, n, "one property read per user")
				assert.LessOrEqual(t, elapsed, bound, "bounded by the rate, not by latency × users")
			})
		})
	}
}
