package cloud_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/cloud"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

type observed struct {
	mu    sync.Mutex
	reqs  []jira.RequestEvent
	snaps []jira.SnapshotEvent
}

func (o *observed) ObserveRequest(e jira.RequestEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reqs = append(o.reqs, e)
}

func (o *observed) ObserveSnapshot(e jira.SnapshotEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.snaps = append(o.snaps, e)
}

// TestObserver: the observer sees every request of the site and of the
// Admin API (the client's request count, the fake's) and the snapshot.
func TestObserver(t *testing.T) {
	t.Parallel()
	fake := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithOrg(&jiratest.Org{Users: people(120), ClaimedDomains: []string{"example.com"}}))
	o := &observed{}
	c, err := cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token),
		cloud.WithTransport(fake.Transport()), cloud.WithRateLimit(1e6, 1e6),
		cloud.WithAdmin(orgID, orgKey), cloud.WithAdminURL(jiratest.InMemoryURL), cloud.WithObserver(o))
	require.NoError(t, err)
	n := 0
	for _, err := range c.Snapshot(t.Context(), jira.SnapshotOptions{LastLogin: true}) {
		require.NoError(t, err)
		n++
	}
	require.Len(t, o.snaps, 1)
	assert.Equal(t, n, o.snaps[0].Users)
	assert.NoError(t, o.snaps[0].Err)
	assert.Len(t, o.reqs, fake.TotalRequests(), "every request the fake received")
	assert.EqualValues(t, len(o.reqs), c.RateStatus().Requests, "site and Admin API")
	admin := 0
	for _, e := range o.reqs {
		assert.Equal(t, "jira.invalid", e.Site)
		if e.Method == "POST" {
			admin++ // the Admin API's directory search
		}
	}
	assert.Positive(t, admin, "the Admin API's requests are observed too")
	_, err = cloud.New(jiratest.InMemoryURL, cloud.APITokenAuth(email, token), cloud.WithObserver(nil))
	assert.ErrorContains(t, err, "nil observer")
}
