package cloud_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// crowd is 500 active users, all in the group "crowd".
func crowd() *jiratest.Org {
	users := people(500)
	for i := range users {
		users[i].Groups = []string{"crowd"}
		users[i].Inactive = false
	}
	return &jiratest.Org{Users: users}
}

// removeAll removes every member of crowd from it with workers goroutines
// sharing one client, and returns how long it took.
func removeAll(t *testing.T, c *cloud.Client, s *jiratest.Server, workers int) time.Duration {
	t.Helper()
	members, _ := s.GroupMembers("crowd")
	require.Len(t, members, 500)
	jobs := make(chan string)
	var wg sync.WaitGroup
	errs := make(chan error, len(members))
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for id := range jobs {
				if err := c.RemoveFromGroup(t.Context(), jira.AccountID(id), "crowd"); err != nil {
					errs <- err
				}
			}
		})
	}
	for _, id := range members {
		jobs <- id
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return time.Since(start)
}

func scenarioClient(t *testing.T, s *jiratest.Server, r rate.Limit, burst int) *cloud.Client {
	t.Helper()
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token),
		cloud.WithTransport(s.Transport()), cloud.WithRateLimit(r, burst))
	require.NoError(t, err)
	return c
}

// statuses counts the requests to route by status.
func statuses(s *jiratest.Server, route string) map[int]int {
	out := map[int]int{}
	for _, r := range s.Requests() {
		if r.Route == route {
			out[r.Status]++
		}
	}
	return out
}

const removeRoute = "DELETE /rest/api/3/group/user"

// TestScenarioThroughput runs 500 group removals against a Cloud fake that
// allows 100 requests per second (bursts of 10) with 20 ms latency, in a
// synctest bubble (virtual time, so the numbers do not depend on the
// machine). Cloud advertises no refill rate: the client learns the limit
// only from X-RateLimit-NearLimit (under 20% of the bucket left) and 429s,
// and must still get at least 90% of the allowed rate in accepted
// requests, whether its own ceiling is the server's rate or above it.
func TestScenarioThroughput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rate  rate.Limit
		burst int
	}{
		{"ceiling at the server's rate", 100, 10},
		{"ceiling above the server's rate", 200, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(crowd()),
					jiratest.WithRateLimit(100, 10), jiratest.WithLatency(20*time.Millisecond))
				c := scenarioClient(t, s, tc.rate, tc.burst)
				elapsed := removeAll(t, c, s, 8)
				st := statuses(s, removeRoute)
				accepted := s.TotalRequests() - st[429]
				achieved := float64(accepted) / elapsed.Seconds()
				t.Logf("%d requests accepted in %v: %.1f req/s of 100 allowed (%.0f%%); %d rejected with 429",
					accepted, elapsed, achieved, achieved, st[429])
				assert.GreaterOrEqual(t, achieved, 90.0, "achieved/allowed")
				assert.Equal(t, 500, st[200])
				members, _ := s.GroupMembers("crowd")
				assert.Empty(t, members)
			})
		})
	}
}

// TestScenarioFaultsExactlyOnce injects 5% 429s and 2% 500s into the same
// 500 removals: every removal is applied exactly once — 500 successful
// DELETEs, none refused as already done, and the group is empty.
func TestScenarioFaultsExactlyOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(crowd()), jiratest.WithRateLimit(100, 10),
			jiratest.WithLatency(20*time.Millisecond), jiratest.WithSeed(42))
		faults, err := jiratest.ParseFaults("429=0.05,500=0.02")
		require.NoError(t, err)
		s.SetFaults(removeRoute, faults...)
		c := scenarioClient(t, s, 100, 10)
		elapsed := removeAll(t, c, s, 8)
		st := statuses(s, removeRoute)
		t.Logf("%d applied, %d faults retried (%v), in %v", st[200], st[429]+st[500], st, elapsed)
		assert.Equal(t, 500, st[200], "each removal applied once")
		assert.Zero(t, st[400], "no removal repeated after it was applied")
		assert.Positive(t, st[429]+st[500], "faults were injected")
		members, _ := s.GroupMembers("crowd")
		assert.Empty(t, members)
	})
}
