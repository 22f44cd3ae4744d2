package datacenter_test

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// removeAll removes user0001…user0500 from group with workers goroutines
// sharing one client, and returns how long it took.
func removeAll(t *testing.T, c *datacenter.Client, group string, workers int) time.Duration {
	t.Helper()
	jobs := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if err := c.RemoveFromGroup(t.Context(), jira.Username(fmt.Sprintf("user%04d", i)), group); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := 1; i <= 500; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return time.Since(start)
}

func crowd(n int) *jiratest.Org {
	users := people(n)
	for i := range users {
		users[i].Groups = []string{"crowd"}
		users[i].Inactive = false
	}
	return &jiratest.Org{Users: users}
}

// TestScenarioThroughput runs 500 group removals against a DC fake that
// allows 100 requests per second with 20 ms latency, in a synctest bubble
// (virtual time, so the numbers do not depend on the machine). The client,
// configured above the server's rate, learns the server's bucket from its
// X-RateLimit-* headers and must keep at least 90% of the allowed rate.
func TestScenarioThroughput(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := jiratest.New(jiratest.WithOrg(crowd(500)), jiratest.WithRateLimit(100, 10), jiratest.WithLatency(20*time.Millisecond))
		c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
			datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(200, 20))
		require.NoError(t, err)
		elapsed := removeAll(t, c, "crowd", 8)
		requests := s.TotalRequests()
		achieved := float64(requests) / elapsed.Seconds()
		t.Logf("%d requests in %v: %.1f req/s of 100 allowed (%.0f%%); %d rejected with 429",
			requests, elapsed, achieved, achieved, countStatus(s, 429))
		assert.GreaterOrEqual(t, achieved, 90.0, "achieved/allowed")
		members, _ := s.GroupMembers("crowd")
		assert.Empty(t, members)
	})
}

func countStatus(s *jiratest.Server, status int) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Status == status {
			n++
		}
	}
	return n
}

// TestScenarioFaultsExactlyOnce injects 5% 429s and 2% 500s into the same
// 500 removals: every removal is applied exactly once — 500 successful
// DELETEs, none refused as already done, and the group is empty.
func TestScenarioFaultsExactlyOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := jiratest.New(jiratest.WithOrg(crowd(500)), jiratest.WithRateLimit(100, 10),
			jiratest.WithLatency(20*time.Millisecond), jiratest.WithSeed(42))
		faults, err := jiratest.ParseFaults("429=0.05,500=0.02")
		require.NoError(t, err)
		s.SetFaults("DELETE /rest/api/2/group/user", faults...)
		c, err := datacenter.New(jiratest.InMemoryURL, datacenter.BasicAuth("admin", "admin"),
			datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(200, 20))
		require.NoError(t, err)
		elapsed := removeAll(t, c, "crowd", 8)
		var ok, refused, failed int
		for _, r := range s.Requests() {
			switch {
			case r.Route != "DELETE /rest/api/2/group/user":
			case r.Status == 200:
				ok++
			case r.Status == 400:
				refused++
			default:
				failed++
			}
		}
		t.Logf("%d applied, %d faults retried, in %v", ok, failed, elapsed)
		assert.Equal(t, 500, ok, "each removal applied once")
		assert.Zero(t, refused, "no removal repeated after it was applied")
		assert.Positive(t, failed, "faults were injected")
		members, _ := s.GroupMembers("crowd")
		assert.Empty(t, members)
	})
}
