package actions_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestLostResponseDelete: a delete whose response is lost (the user is
// deleted, the connection dropped) is applied, not failed with the 404 a
// second DELETE would get; the client never sends the DELETE again, apply
// reads the user instead.
func TestLostResponseDelete(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(3)})
	p := actions.Policy{Name: "rm", Select: crit(t, `name == "user0002"`), Action: actions.Delete()}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	require.Len(t, plan.Users, 1)
	s.Script("DELETE /rest/api/2/user", jiratest.Fault{Reset: true, AfterWrite: true})
	s.ResetStats()
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{})
	require.NoError(t, err)
	require.Len(t, run.Results, 1)
	assert.Equal(t, actions.Applied, run.Results[0].Outcome, run.Summary())
	assert.Equal(t, "applied; the response was lost", run.Results[0].Message)
	_, ok := s.User("user0002")
	assert.False(t, ok, "deleted")
	deletes := 0
	for _, r := range s.Requests() {
		if r.Method == http.MethodDelete {
			deletes++
		}
	}
	assert.Equal(t, 1, deletes, "the DELETE is sent once")
}

// TestGuardedWriteNotResent: a deactivation answered 500 is sent once by
// the client; apply re-reads the user and tries again itself.
func TestGuardedWriteNotResent(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(3)})
	p := actions.Policy{Name: "off", Select: crit(t, `name == "user0002"`), Action: actions.Deactivate()}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{})
	s.Script("PUT /rest/api/2/user", jiratest.Fault{Status: http.StatusInternalServerError})
	s.ResetStats()
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{})
	require.NoError(t, err)
	assert.Equal(t, actions.Applied, run.Results[0].Outcome, run.Summary())
	var seq []string
	for _, r := range s.Requests() {
		seq = append(seq, r.Method)
	}
	// myself, the re-read, the PUT (500), the re-read of the effect, the PUT.
	assert.Equal(t, []string{"GET", "GET", "PUT", "GET", "PUT"}, seq)
}
