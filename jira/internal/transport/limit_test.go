package transport

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
)

// rateOf returns the client's own adaptive limiter's current limit and burst.
func rateOf(t *testing.T, c *Client) (rate.Limit, int) {
	t.Helper()
	a, ok := c.Limiter().(*adaptiveLimiter)
	require.True(t, ok)
	return a.lim.Limit(), a.lim.Burst()
}

// getN sends n sequential GETs, failing the test on any error.
func getN(t *testing.T, c *Client, n int) {
	t.Helper()
	for range n {
		_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
		require.NoError(t, err)
	}
}

func TestLimiterFollowsDCHeaders(t *testing.T) {
	t.Parallel()
	dc := []string{"X-RateLimit-Limit", "2", "X-RateLimit-Remaining", "1",
		"X-RateLimit-FillRate", "1", "X-RateLimit-Interval-Seconds", "2", "Retry-After", "0"}
	tests := []struct {
		name      string
		rate      rate.Limit
		burst     int
		wantLimit rate.Limit
		wantBurst int
		wantGaps  []time.Duration
	}{
		{
			// Down to the server's bucket, 1 token per 2 s and 2 deep, holding
			// no more than the 1 token the server says remains.
			name: "lowered to the server", rate: 100, burst: 100, wantLimit: 0.5, wantBurst: 2,
			wantGaps: []time.Duration{0, 2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second},
		},
		{
			name: "never above the ceiling", rate: 0.25, burst: 1, wantLimit: 0.25, wantBurst: 1,
			wantGaps: []time.Duration{4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := newScript(reply(200, `{}`, dc...))
				c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Rate, c.Burst = tt.rate, tt.burst })
				getN(t, c, 6)
				assert.Equal(t, tt.wantGaps, s.gaps())
				l, b := rateOf(t, c)
				assert.InDelta(t, float64(tt.wantLimit), float64(l), 1e-9)
				assert.Equal(t, tt.wantBurst, b)
			})
		})
	}
}

// TestLimiterSlowsNearLimit checks the AIMD policy for servers that do not
// advertise their bucket (Cloud): NearLimit takes a fifth off and a 429
// halves, each at most once a second; the rate grows back by a tenth of the
// target per second once neither has come for a second.
func TestLimiterSlowsNearLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(8, 1, 0, slog.New(slog.DiscardHandler))
		resp := func(status int, kv ...string) *http.Response {
			h := http.Header{}
			for i := 0; i < len(kv); i += 2 {
				h.Set(kv[i], kv[i+1])
			}
			return &http.Response{StatusCode: status, Header: h}
		}
		near := resp(200, "X-RateLimit-NearLimit", "true")
		limit := func() float64 { return float64(l.lim.Limit()) }
		ctx := t.Context()

		l.observe(ctx, near)
		assert.InDelta(t, 6.4, limit(), 1e-9, "NearLimit takes a fifth off")
		for range 3 {
			time.Sleep(100 * time.Millisecond)
			l.observe(ctx, near)
		}
		assert.InDelta(t, 6.4, limit(), 1e-9, "once a second: the answers in flight report the same congestion")
		l.observe(ctx, resp(429, "Retry-After", "1"))
		assert.InDelta(t, 3.2, limit(), 1e-9, "a 429 halves, even right after a NearLimit cut")
		time.Sleep(200 * time.Millisecond)
		l.observe(ctx, resp(429, "Retry-After", "1"))
		assert.InDelta(t, 3.2, limit(), 1e-9, "one 429 cut a second")

		time.Sleep(500 * time.Millisecond) // 0.8 s: the last 429 came 0.3 s ago
		l.observe(ctx, resp(200))
		assert.InDelta(t, 3.2, limit(), 1e-9, "held for a second after a signal")
		time.Sleep(time.Second) // 1.8 s
		l.observe(ctx, resp(200))
		assert.InDelta(t, 4.0, limit(), 1e-9, "grows back by 10% of the target a second")
		time.Sleep(10 * time.Second)
		l.observe(ctx, resp(200))
		assert.InDelta(t, 8, limit(), 1e-9, "up to the target, not beyond")
		l.observe(ctx, near)
		assert.InDelta(t, 6.4, limit(), 1e-9)
		for range 40 {
			time.Sleep(time.Second)
			l.observe(ctx, resp(429))
		}
		assert.InDelta(t, 0.5, limit(), 1e-9, "never below 1/16 of the target")
	})
}

func TestLimiterSlowsOn429(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newScript(reply(429, `<html>slow down</html>`, "Content-Type", "text/html"), reply(200, `{}`))
		c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Rate, c.Burst = 4, 4 })
		_, err := c.Do(t.Context(), "GET", "/rest/api/3/myself", nil, nil, nil)
		require.NoError(t, err)
		l, _ := rateOf(t, c)
		// Halved to 2 by the 429; the 200 came after the retry's 1 s wait,
		// a second without a signal, which gives back a tenth of the target.
		assert.InDelta(t, 2.4, float64(l), 1e-9)
	})
}

func TestLimiterWaitPastDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newScript(reply(200, `{}`))
		c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Rate, c.Burst = 1, 1 })
		getN(t, c, 1)

		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Do(ctx, "GET", "/rest/api/2/myself", nil, nil, nil)
		require.ErrorIs(t, err, jira.ErrRateLimitWait)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.Zero(t, time.Since(start), "fails at once")
		assert.Len(t, s.got(), 1, "the request was never sent")
	})
}

func TestLimiterWaitCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newScript(reply(200, `{}`))
		c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Rate, c.Burst = 0.1, 1 })
		getN(t, c, 1)

		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		_, err := c.Do(ctx, "GET", "/rest/api/2/myself", nil, nil, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Len(t, s.got(), 1)
	})
}

// countingLimiter counts waits and never blocks.
type countingLimiter struct{ n atomic.Int32 }

func (l *countingLimiter) Wait(context.Context) error { l.n.Add(1); return nil }

func TestCallerLimiterTakesEveryAttempt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newScript(reply(429, ""), reply(503, ""), reply(200, `{}`, "X-RateLimit-FillRate", "1", "X-RateLimit-Interval-Seconds", "60"))
		lim := &countingLimiter{}
		c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Limiter = lim })
		getN(t, c, 1)
		assert.Equal(t, int32(3), lim.n.Load(), "the limiter sits below the retry loop")
		assert.Same(t, lim, c.Limiter().(*countingLimiter), "a caller's limiter is used as it is")
	})
}

func TestCallerLimiterError(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, handlerTransport{newScript(reply(200, ""))}, func(c *Config) {
		c.Limiter = rate.NewLimiter(rate.Every(time.Hour), 0) // burst 0: Wait always fails
	})
	_, err := c.Do(t.Context(), "GET", "/x", nil, nil, nil)
	require.ErrorIs(t, err, jira.ErrRateLimitWait)
	assert.False(t, errors.Is(err, context.Canceled))
}

// TestLimiterDCHeaderless429 checks that a limiter following DC's bucket
// halves on a 429 without the bucket's headers (a proxy's) and gets a tenth
// back with each other response, with no one-second hold.
func TestLimiterDCHeaderless429(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(100, 10, 0, slog.New(slog.DiscardHandler))
		dc := http.Header{}
		for k, v := range map[string]string{"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9",
			"X-RateLimit-FillRate": "10", "X-RateLimit-Interval-Seconds": "1"} {
			dc.Set(k, v)
		}
		ctx := t.Context()
		l.observe(ctx, &http.Response{StatusCode: 200, Header: dc})
		assert.InDelta(t, 10, float64(l.lim.Limit()), 1e-9, "the server's bucket")
		l.observe(ctx, &http.Response{StatusCode: 429, Header: http.Header{}})
		assert.InDelta(t, 5, float64(l.lim.Limit()), 1e-9)
		l.observe(ctx, &http.Response{StatusCode: 200, Header: dc})
		assert.InDelta(t, 5.5, float64(l.lim.Limit()), 1e-9)
	})
}

// TestProbeKnee checks the probing limiter's growth (Cloud without a
// ceiling): from 10 req/s by 20 a second; a NearLimit at 70 takes a
// fifth off and sets the knee at 56, above which it grows by 1 a second;
// a 429 halves, and it climbs back fast to the knee only.
func TestProbeKnee(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(0, 0, 100, slog.New(slog.DiscardHandler))
		ctx := t.Context()
		ok := &http.Response{StatusCode: 200, Header: http.Header{}}
		near := &http.Response{StatusCode: 200, Header: http.Header{"X-Ratelimit-Nearlimit": {"true"}}}
		limit := func() float64 { return float64(l.lim.Limit()) }
		assert.InDelta(t, 10, limit(), 1e-9)
		l.observe(ctx, ok)
		time.Sleep(3 * time.Second)
		l.observe(ctx, ok)
		assert.InDelta(t, 70, limit(), 1e-9, "20 req/s a second")
		assert.Equal(t, 70, l.lim.Burst(), "one second's worth")
		l.observe(ctx, near)
		assert.InDelta(t, 56, limit(), 1e-9)
		time.Sleep(10 * time.Second)
		l.observe(ctx, ok)
		assert.InDelta(t, 66, limit(), 1e-9, "1 req/s a second above the knee")
		l.observe(ctx, &http.Response{StatusCode: 429, Header: http.Header{}})
		assert.InDelta(t, 33, limit(), 1e-9)
		time.Sleep(2 * time.Second)
		l.observe(ctx, ok)
		// 0.99 s at 20 a second to the new knee, a fifth below 66 (52.8),
		// then 1.01 s at 1 a second.
		assert.InDelta(t, 53.81, limit(), 1e-9)
		assert.Equal(t, jira.RateSlowed, l.status().Source)
		time.Sleep(signalMemory)
		assert.Equal(t, jira.RateAdaptive, l.status().Source)
	})
}
