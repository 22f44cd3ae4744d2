package actions_test

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

const (
	soakUsers = 500 // × 4 steps = 2,000 steps
	soakRate  = 100 // requests per second, the fake's and the client's
)

// soak applies the offboarding of soakUsers users (set-property,
// remove-group, add-group, deactivate) to a DC fake with 20 ms latency
// and a rate limit, with the given faults, in a synctest bubble so that
// the wall time is virtual and deterministic.
func soak(t *testing.T, faults string) (run *actions.Run, s *jiratest.Server, elapsed time.Duration, journal []actions.JournalEntry) {
	users := people(soakUsers)
	s = jiratest.New(jiratest.WithOrg(&jiratest.Org{Users: users, Groups: []string{"alumni"}}),
		jiratest.WithRateLimit(soakRate, 10), jiratest.WithLatency(20*time.Millisecond), jiratest.WithSeed(7))
	c, err := datacenter.New(jiratest.InMemoryURL, datacenter.TokenAuth(jira.Secret(jiratest.DefaultDCToken)),
		datacenter.WithTransport(s.Transport()), datacenter.WithRateLimit(soakRate, 10))
	require.NoError(t, err)
	p := actions.Policy{Name: "offboard", Select: crit(t, `name startsWith "user"`),
		Action: actions.Sequence(actions.SetProperty("deactivatedOn", "{{now}}"), actions.RemoveFromGroups("staff"),
			actions.AddToGroups("alumni"), actions.Deactivate())}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	require.Len(t, plan.Users, soakUsers)
	if faults != "" {
		fs, err := jiratest.ParseFaults(faults)
		require.NoError(t, err)
		fs = append(fs, jiratest.Fault{Reset: true, AfterWrite: true, Probability: 0.01})
		s.SetFaults("", fs...)
	}
	s.ResetStats()
	var buf bytes.Buffer
	j, err := actions.NewJournal(&buf)
	require.NoError(t, err)
	start := time.Now()
	run, err = actions.Apply(context.Background(), site{c}, plan, actions.ApplyOptions{Journal: j, Concurrency: 8})
	require.NoError(t, err)
	elapsed = time.Since(start)
	s.ClearFaults()
	return run, s, elapsed, j.Entries()
}

// TestFaultSoak applies 2,000 steps through 10% 429s, 3% 500s, 1% dropped
// connections and 1% connections dropped after the write: every step is
// applied exactly once, and the fake ends in the intended state.
func TestFaultSoak(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		clean, cs, cleanTime, _ := soak(t, "")
		require.Equal(t, 4*soakUsers, clean.Counts[actions.Applied])
		ideal := time.Duration(float64(cs.TotalRequests()) / soakRate * float64(time.Second))

		run, s, elapsed, journal := soak(t, "429=0.10,500=0.03,reset=0.01")
		assert.Equal(t, 4*soakUsers, run.Counts[actions.Applied], run.Summary())
		assert.Zero(t, run.Counts[actions.Failed])
		outcomes := map[string]int{}
		lost := 0
		for _, e := range journal {
			if e.Type == actions.EntryOutcome {
				outcomes[e.StepID]++
				if e.Message != "" {
					lost++
				}
			}
		}
		assert.Len(t, outcomes, 4*soakUsers)
		for id, n := range outcomes {
			assert.Equal(t, 1, n, "step %s has %d outcomes", id, n)
		}
		for who, routes := range writes(s) {
			for route, n := range routes {
				if who == "?" { // POST group/user names the user in the body
					assert.LessOrEqual(t, n, soakUsers, route)
					continue
				}
				assert.LessOrEqual(t, n, 1, "%s %s succeeded %d times", who, route, n)
			}
		}
		for i := range soakUsers {
			u, ok := s.User(people(soakUsers)[i].Name)
			require.True(t, ok)
			if !assert.False(t, u.Active, u.Name) || !assert.Equal(t, []string{"alumni"}, u.Groups[:1], u.Name) ||
				!assert.Contains(t, u.Properties, "deactivatedOn", u.Name) {
				break
			}
			assert.NotContains(t, u.Groups, "staff")
		}
		status := map[int]int{}
		for _, r := range s.Requests() {
			status[r.Status]++
		}
		t.Logf("fault-free: %d requests in %v; ideal at %d req/s: %v", cs.TotalRequests(), cleanTime, soakRate, ideal)
		t.Logf("with faults: %d requests (status 0 = dropped: %d, 429: %d, 500: %d) in %v = %.2f× ideal; %d steps resolved by re-reading after a lost response",
			s.TotalRequests(), status[0], status[429], status[500], elapsed, float64(elapsed)/float64(ideal), lost)
	})
}
