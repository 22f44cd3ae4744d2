package actions_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

const testSite = "https://jira.example.com"

// marks asks the snapshot for the property markPolicy reads.
var marks = jira.SnapshotOptions{Properties: []string{"seatwarden.warned"}}

// markPolicy marks each active user not yet marked: its own write
// deselects the user.
func markPolicy(t *testing.T) actions.Policy {
	return actions.Policy{Name: "warn", Select: crit(t, `active && name startsWith "user" && property("seatwarden.warned", "") == ""`),
		Action: actions.SetPropertyFunc("seatwarden.warned", func(*jira.User, time.Time) (json.RawMessage, error) {
			return json.RawMessage(`"2026-03-01"`), nil
		})}
}

// cutAfterFirstWrite applies plan with a journal that breaks after the
// first step's started entry, so the first user's mark is written and its
// outcome lost (as when the process is killed then), and returns what
// reached the journal and that user.
func cutAfterFirstWrite(t *testing.T, c site, plan *actions.Plan) ([]byte, actions.Identity) {
	t.Helper()
	w := &failingWriter{n: 3} // run, verified, started
	j, err := actions.NewJournal(w)
	require.NoError(t, err)
	_, err = actions.Apply(t.Context(), c, plan, actions.ApplyOptions{Journal: j, Concurrency: 1})
	require.Error(t, err, "the journal broke")
	entries, err := actions.ReadJournal(bytes.NewReader(w.Bytes()))
	require.NoError(t, err)
	require.Len(t, entries, 3)
	last := entries[2]
	require.Equal(t, actions.EntryStarted, last.Type)
	require.NotNil(t, last.User)
	require.Equal(t, last.User.ID()+"#0", last.StepID)
	return w.Bytes(), *last.User
}

// resume verifies plan against the policies now (as usermgmt's Manager
// does on resume) and applies it with the journal cut.
func resume(t *testing.T, c site, policies []actions.Policy, plan *actions.Plan, cut []byte) (*actions.Run, []actions.Result) {
	t.Helper()
	fresh := planOn(t, c.Client, policies, actions.PlanOptions{ID: "01970000-0000-7000-8000-0000000000f2", Site: testSite, Snapshot: marks})
	j, err := actions.NewJournal(bytes.NewBuffer(cut))
	require.NoError(t, err)
	v, refused, err := actions.Verify(plan, fresh, j)
	require.NoError(t, err)
	run, err := actions.Apply(t.Context(), c, v, actions.ApplyOptions{Journal: j})
	require.NoError(t, err)
	return run, refused
}

func resultOf(t *testing.T, run *actions.Run, stepID string) actions.Result {
	t.Helper()
	for _, r := range run.Results {
		if r.StepID == stepID {
			return r
		}
	}
	t.Fatalf("no result for %s in %s", stepID, run.Summary())
	return actions.Result{}
}

// TestResumeFindsMarkWritten: a set-property step whose write landed but
// whose outcome the crash lost deselects its user (the mark); on resume
// it is applied, found done — not refused because the policies no longer
// select the user — and it is not written again.
func TestResumeFindsMarkWritten(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(3)})
	policies := []actions.Policy{markPolicy(t)}
	plan := planOn(t, c, policies, actions.PlanOptions{Site: testSite, Snapshot: marks})
	require.Len(t, plan.Users, 3)
	cut, first := cutAfterFirstWrite(t, site{c}, plan)
	u, _ := s.User(first.Name)
	require.JSONEq(t, `"2026-03-01"`, string(u.Properties["seatwarden.warned"]), "the write landed")

	run, refused := resume(t, site{c}, policies, plan, cut)
	assert.Empty(t, refused, "nothing refused on resume")
	assert.Zero(t, run.Counts[actions.Refused], run.Summary())
	for _, up := range plan.Users {
		r := resultOf(t, run, up.User.ID()+"#0")
		assert.Equal(t, actions.Applied, r.Outcome, "%s: %s", up.User.Name, r.Message)
		if up.User == first {
			assert.Equal(t, "found applied after an interruption", r.Message)
		}
	}
	for who, routes := range writes(s) {
		for route, n := range routes {
			assert.Equal(t, 1, n, "%s %s written %d times", who, route, n)
		}
	}
}

// TestResumeUnconfirmedNotWritten: the same crash, but the mark is gone
// on the site and the user is no longer selected for another reason
// (deactivated): the step's effect is not there, and since the policies
// do not plan it now, it is refused, not written.
func TestResumeUnconfirmedNotWritten(t *testing.T) {
	t.Parallel()
	s, c := dcSite(t, &jiratest.Org{Users: people(3)})
	policies := []actions.Policy{markPolicy(t)}
	plan := planOn(t, c, policies, actions.PlanOptions{Site: testSite, Snapshot: marks})
	cut, first := cutAfterFirstWrite(t, site{c}, plan)
	ref := jira.Username(first.Name)
	_, err := c.Properties.Delete(t.Context(), ref, "seatwarden.warned")
	require.NoError(t, err)
	require.NoError(t, c.Deactivate(t.Context(), ref))
	s.ResetStats()

	run, refused := resume(t, site{c}, policies, plan, cut)
	assert.Empty(t, refused, "Verify keeps the step, to check its effect")
	for _, up := range plan.Users {
		r := resultOf(t, run, up.User.ID()+"#0")
		if up.User != first {
			assert.Equal(t, actions.Applied, r.Outcome, "%s: %s", up.User.Name, r.Message)
			continue
		}
		assert.Equal(t, actions.Refused, r.Outcome, r.Message)
		assert.Equal(t, "not applied: the policies do not select this user now", r.Message)
	}
	w := writes(s)
	assert.NotContains(t, w, first.Name, "the step is not written")
	assert.NotContains(t, w, first.Key, "the step is not written")
	assert.Len(t, w, 2, "the two other users are written: %v", w)
	u, _ := s.User(first.Name)
	assert.NotContains(t, u.Properties, "seatwarden.warned")
}
