package transport

import (
	"errors"
	"iter"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
)

// recorder is a jira.Observer that keeps what it is told.
type recorder struct {
	mu    sync.Mutex
	reqs  []jira.RequestEvent
	snaps []jira.SnapshotEvent
}

func (r *recorder) ObserveRequest(e jira.RequestEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, e)
}

func (r *recorder) ObserveSnapshot(e jira.SnapshotEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snaps = append(r.snaps, e)
}

// TestObserverSeesEveryAttempt: each attempt, retries included, is one
// event with its method, status, the limiter's wait and the backoff a 429
// or 503 caused; the count matches RateStatus's.
func TestObserverSeesEveryAttempt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newScript(reply(429, "", "Retry-After", "3"), reply(503, "", "Retry-After", "2"), reply(201, `{}`), reply(404, `{}`))
		rec := &recorder{}
		c := newTestClient(t, handlerTransport{s}, func(cfg *Config) {
			cfg.Observer = rec
			cfg.Rate, cfg.Burst = 1, 1 // the 4th attempt waits for a token
		})
		_, err := c.Do(t.Context(), "POST", "/rest/api/2/user", nil, map[string]string{"name": "fred"}, nil)
		require.NoError(t, err)
		_, err = c.Do(t.Context(), "GET", "/rest/api/2/user", nil, nil, nil)
		require.ErrorIs(t, err, jira.ErrNotFound)

		require.Len(t, rec.reqs, 4)
		assert.Equal(t, int64(len(rec.reqs)), c.RateStatus().Requests, "one event per attempt the client counts")
		var statuses []int
		var backoffs []time.Duration
		for _, e := range rec.reqs {
			assert.Equal(t, "jira.example.com/jira", e.Site)
			statuses = append(statuses, e.Status)
			backoffs = append(backoffs, e.Backoff)
		}
		assert.Equal(t, []int{429, 503, 201, 404}, statuses)
		assert.Equal(t, []string{"POST", "POST", "POST", "GET"}, []string{rec.reqs[0].Method, rec.reqs[1].Method, rec.reqs[2].Method, rec.reqs[3].Method})
		assert.Equal(t, []time.Duration{0, 3 * time.Second, 2 * time.Second, 0}, backoffs,
			"the server's Retry-After before each retry; nothing before a new call")
		assert.Zero(t, rec.reqs[0].Wait, "the first attempt takes the bucket's token at once")
		// The retries' backoffs refilled the bucket; the GET right after
		// the 201 waits a second for its token.
		assert.Equal(t, time.Second, rec.reqs[3].Wait)
	})
}

// TestObserverNetworkErrorAndNone: an attempt without a response has
// status 0; a client without an observer reports nothing and its
// snapshot is the same iterator.
func TestObserverNetworkErrorAndNone(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	et := &errTransport{err: errors.New("connection reset")}
	c := newTestClient(t, et, func(cfg *Config) { cfg.Observer = rec; cfg.RetryMax = -1 })
	_, err := c.Do(t.Context(), "POST", "/rest/api/2/user", nil, struct{}{}, nil)
	require.Error(t, err)
	require.Len(t, rec.reqs, 1)
	assert.Equal(t, 0, rec.reqs[0].Status)

	plain := newTestClient(t, et, func(cfg *Config) { cfg.Rate = rate.Inf })
	assert.Nil(t, plain.obs)
}

// TestObserveSnapshot: a snapshot is one event with the users yielded,
// its duration and the error that ended it; a caller that stops early
// still ends it.
func TestObserveSnapshot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		c := newTestClient(t, handlerTransport{newScript(reply(200, `{}`))}, func(cfg *Config) { cfg.Observer = rec })
		boom := errors.New("boom")
		users := func(n int, err error) iter.Seq2[jira.User, error] {
			return func(yield func(jira.User, error) bool) {
				for i := range n {
					time.Sleep(time.Second)
					if !yield(jira.User{Name: string(rune('a' + i))}, nil) {
						return
					}
				}
				if err != nil {
					yield(jira.User{}, err)
				}
			}
		}
		for range c.ObserveSnapshot(users(3, nil)) {
		}
		for range c.ObserveSnapshot(users(2, boom)) {
		}
		for range c.ObserveSnapshot(users(5, nil)) {
			break
		}
		require.Len(t, rec.snaps, 3)
		assert.Equal(t, jira.SnapshotEvent{Site: "jira.example.com/jira", Users: 3, Duration: 3 * time.Second}, rec.snaps[0])
		assert.Equal(t, jira.SnapshotEvent{Site: "jira.example.com/jira", Users: 2, Duration: 2 * time.Second, Err: boom}, rec.snaps[1])
		assert.Equal(t, 1, rec.snaps[2].Users)
	})
}
