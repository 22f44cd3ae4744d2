package transport

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// fakeClient connects a client to a fake Jira through its in-memory
// transport, as the DC admin.
func fakeClient(t *testing.T, fake *jiratest.Server, mod func(*Config)) *Client {
	t.Helper()
	cr := fake.Credentials()
	return newTestClient(t, fake.Transport(), func(c *Config) {
		c.BaseURL = fake.URL
		c.Auth = Basic(cr.DCUser, jira.Secret(cr.DCPassword))
		if mod != nil {
			mod(c)
		}
	})
}

func statuses(fake *jiratest.Server) map[int]int {
	out := map[int]int{}
	for _, r := range fake.Requests() {
		out[r.Status]++
	}
	return out
}

func TestFakeDCRateLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := jiratest.New(jiratest.WithRateLimit(2, 3))
		c := fakeClient(t, fake, func(c *Config) { c.Rate, c.Burst = 100, 100 })
		start := time.Now()
		for range 20 {
			var me struct {
				Name string `json:"name"`
			}
			_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, &me)
			require.NoError(t, err)
			require.Equal(t, fake.Credentials().DCUser, me.Name)
		}
		// The client learns the 2/s bucket from the first response and
		// paces itself: the 3-token burst, then one request every 500 ms.
		assert.Equal(t, map[int]int{200: 20}, statuses(fake), "no request is rejected")
		assert.Equal(t, 17*500*time.Millisecond, time.Since(start))
		l, b := rateOf(t, c)
		assert.Equal(t, 2.0, float64(l))
		assert.Equal(t, 3, b)
	})
}

func TestFakeDCRateLimitShared(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// Someone else drains the same user's bucket; the client meets 429
		// with DC's truncated "Retry-After: 0" and still gets through.
		fake := jiratest.New(jiratest.WithRateLimit(1, 2))
		c := fakeClient(t, fake, nil)
		other := fakeClient(t, fake, nil)
		for range 2 {
			_, err := other.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
			require.NoError(t, err)
		}
		_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
		require.NoError(t, err)
		got := statuses(fake)
		assert.Equal(t, 3, got[200])
		assert.Equal(t, 1, got[429], "one rejection, then a wait of at least the minimum")
	})
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		path     string
		body     any
		faults   []jiratest.Fault
		wantErr  bool
		status   int // of the final APIError, when there is one
		requests int
	}{
		{"html 429 then ok", "GET", "/rest/api/2/myself", nil,
			[]jiratest.Fault{{Status: 429, HTML: true, RetryAfter: 3 * time.Second}}, false, 0, 2},
		{"reset on GET retried", "GET", "/rest/api/2/myself", nil,
			[]jiratest.Fault{{Reset: true}, {Status: 502}}, false, 0, 3},
		{"reset on POST not retried", "POST", "/rest/api/2/group", map[string]string{"name": "g1"},
			[]jiratest.Fault{{Reset: true}}, true, 0, 1},
		{"500 on POST not retried", "POST", "/rest/api/2/group", map[string]string{"name": "g2"},
			[]jiratest.Fault{{Status: 500}}, true, 500, 1},
		{"html 503 on POST retried", "POST", "/rest/api/2/group", map[string]string{"name": "g3"},
			[]jiratest.Fault{{Status: 503, HTML: true}}, false, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := jiratest.New()
				fake.Script("", tt.faults...)
				c := fakeClient(t, fake, nil)
				_, err := c.Do(t.Context(), tt.method, tt.path, nil, tt.body, nil)
				if !tt.wantErr {
					require.NoError(t, err)
				} else {
					require.Error(t, err)
					apiErr, ok := errors.AsType[*jira.APIError](err)
					assert.Equal(t, tt.status != 0, ok, "%v", err)
					if ok {
						assert.Equal(t, tt.status, apiErr.StatusCode)
					}
				}
				assert.Equal(t, tt.requests, fake.TotalRequests())
			})
		})
	}
}

// TestFakeDC429FromRequestsInFlight: concurrent requests outrun DC's
// bucket before its headers arrive. The 429s (Retry-After: 0) are retried
// after the bucket's refill time, not the generic minimum wait, and do not
// halve the rate the server advertised.
func TestFakeDC429FromRequestsInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := jiratest.New(jiratest.WithRateLimit(100, 2), jiratest.WithLatency(20*time.Millisecond))
		c := fakeClient(t, fake, func(c *Config) { c.Rate, c.Burst = 1000, 10 })
		start := time.Now()
		done := make(chan error, 6)
		for range 6 {
			go func() {
				_, err := c.Do(t.Context(), "GET", "/rest/api/2/serverInfo", nil, nil, nil)
				done <- err
			}()
		}
		for range 6 {
			require.NoError(t, <-done)
		}
		got := statuses(fake)
		assert.Equal(t, 6, got[200])
		assert.Positive(t, got[429], "the first burst outran the bucket")
		assert.Less(t, time.Since(start), 300*time.Millisecond, "retries waited for tokens, not for seconds")
		l, _ := rateOf(t, c)
		assert.Equal(t, 100.0, float64(l), "a DC 429 does not halve the advertised rate")
	})
}

// TestFakeCloudNearLimitThroughput: a Cloud client pacing at the server's
// own rate keeps getting X-RateLimit-NearLimit, since the server's bucket
// stays nearly empty. It must still use at least 90% of the allowed rate,
// and not halve itself down to a trickle.
func TestFakeCloudNearLimitThroughput(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, fake, elapsed := cloudRun(t, 500, 100, 10, func(c *Config) { c.Rate, c.Burst = 100, 10 })
		got := statuses(fake)
		achieved := float64(got[200]) / elapsed.Seconds()
		t.Logf("%.1f req/s of 100 allowed; %d 429s", achieved, got[429])
		assert.GreaterOrEqual(t, achieved, 90.0)
		l, _ := rateOf(t, c)
		assert.Greater(t, float64(l), 50.0, "the rate recovered")
	})
}

// TestFakeDCServerAllowance checks that the server's advertised bucket is
// the allowance: without a ceiling the client climbs from the default
// 10/s to the fake's 50/s (burst 100) and sends 500 requests in the time
// the bucket allows, none refused; a user ceiling below the bucket wins.
func TestFakeDCServerAllowance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		rate       float64
		burst      int
		wantLimit  float64
		wantBurst  int
		wantSource jira.RateSource
		wantTime   time.Duration
	}{
		// The default's 10 tokens at once, then 490 at 50/s: the client
		// does not take the server's initial tokens it never had.
		{name: "no ceiling: the server's bucket", wantLimit: 50, wantBurst: 100, wantSource: jira.RateServer, wantTime: 9800 * time.Millisecond},
		// The ceiling is above the bucket: the bucket's rate, the
		// ceiling's burst (80 at once, then 420 at 50/s).
		{name: "ceiling above", rate: 80, wantLimit: 50, wantBurst: 80, wantSource: jira.RateServer, wantTime: 8400 * time.Millisecond},
		// The ceiling 20/s (burst one second's worth, 20) is below it.
		{name: "ceiling below", rate: 20, wantLimit: 20, wantBurst: 20, wantSource: jira.RateCeiling, wantTime: 24 * time.Second},
		{name: "ceiling and burst", rate: 20, burst: 5, wantLimit: 20, wantBurst: 5, wantSource: jira.RateCeiling, wantTime: 24750 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake := jiratest.New(jiratest.WithRateLimit(50, 100))
				c := fakeClient(t, fake, func(c *Config) { c.Rate, c.Burst = rate.Limit(tt.rate), tt.burst })
				if before := c.RateStatus(); tt.rate == 0 {
					assert.Equal(t, jira.RateStatus{Limit: 10, Burst: 10, Source: jira.RateDefault}, before, "before the server says")
				}
				start := time.Now()
				getN(t, c, 500)
				elapsed := time.Since(start)
				assert.Equal(t, map[int]int{200: 500}, statuses(fake), "no request is refused")
				s := c.RateStatus()
				assert.Equal(t, tt.wantLimit, s.Limit)
				assert.Equal(t, tt.wantBurst, s.Burst)
				assert.Equal(t, tt.wantSource, s.Source)
				assert.Equal(t, 50.0, s.Server)
				assert.Equal(t, 100, s.ServerBurst)
				assert.Equal(t, tt.rate, s.Ceiling)
				assert.Equal(t, int64(500), s.Requests)
				assert.InDelta(t, tt.wantTime.Seconds(), elapsed.Seconds(), 0.05, "elapsed %v", elapsed)
			})
		})
	}
}

// TestDefaultRateWithoutBucket checks the conservative default for a
// server that does not advertise its bucket (Cloud): 10 requests per
// second, reported as the default, unless the user sets a ceiling.
func TestDefaultRateWithoutBucket(t *testing.T) {
	t.Parallel()
	for _, ceiling := range []float64{0, 40} {
		synctest.Test(t, func(t *testing.T) {
			// Cloud's X-RateLimit-Limit (500) is a budget, not a bucket
			// whose size the client could take as its burst.
			fake := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithRateLimit(1000, 500))
			cr := fake.Credentials()
			c := newTestClient(t, fake.Transport(), func(c *Config) {
				c.BaseURL, c.Auth, c.Rate = fake.URL, Basic(cr.CloudEmail, jira.Secret(cr.CloudToken)), rate.Limit(ceiling)
			})
			start := time.Now()
			for range 200 {
				_, err := c.Do(t.Context(), "GET", "/rest/api/3/myself", nil, nil, nil)
				require.NoError(t, err)
			}
			s := c.RateStatus()
			want, source := 10.0, jira.RateDefault
			if ceiling > 0 {
				want, source = ceiling, jira.RateCeiling
			}
			assert.Equal(t, want, s.Limit)
			assert.Equal(t, int(want), s.Burst, "one second's worth")
			assert.Equal(t, source, s.Source)
			assert.Zero(t, s.Server)
			assert.Zero(t, s.ServerBurst, "Cloud's X-RateLimit-Limit is no bucket")
			// One second's burst, then the rest at the limit.
			assert.InDelta(t, (200-want)/want, time.Since(start).Seconds(), 0.05)
		})
	}
}

// TestServerAllowanceLoggedOnce checks that the client says, once, at
// info level, which limit it follows once the server advertises it.
func TestServerAllowanceLoggedOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var buf strings.Builder
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		fake := jiratest.New(jiratest.WithRateLimit(50, 100))
		c := fakeClient(t, fake, func(c *Config) { c.Logger, c.Rate, c.Burst = log, 0, 0 })
		getN(t, c, 50)
		assert.Equal(t, 1, strings.Count(buf.String(), "following the server's rate limit"), buf.String())
		assert.Contains(t, buf.String(), "limit=50 burst=100 ceiling=0")
	})
}

// cloudRun sends n GETs to a Cloud fake with a bucket of serverRate and
// burst, 20 ms latency, from 8 workers, through a client that mod
// configures. It returns the client, the fake and the wall time.
func cloudRun(t *testing.T, n int, serverRate float64, burst int, mod func(*Config)) (*Client, *jiratest.Server, time.Duration) {
	t.Helper()
	fake := jiratest.New(jiratest.WithFlavor(jira.Cloud), jiratest.WithRateLimit(serverRate, burst),
		jiratest.WithLatency(20*time.Millisecond))
	cr := fake.Credentials()
	c := newTestClient(t, fake.Transport(), func(c *Config) {
		c.BaseURL, c.Auth = fake.URL, Basic(cr.CloudEmail, jira.Secret(cr.CloudToken))
		mod(c)
	})
	jobs := make(chan int)
	done := make(chan error)
	for range 8 {
		go func() {
			for range jobs {
				_, err := c.Do(t.Context(), "GET", "/rest/api/3/myself", nil, nil, nil)
				done <- err
			}
		}()
	}
	start := time.Now()
	go func() {
		for i := range n {
			jobs <- i
		}
		close(jobs)
	}()
	for range n {
		require.NoError(t, <-done)
	}
	return c, fake, time.Since(start)
}

// TestCloudProbesTheRate: a Cloud client given no ceiling starts at the
// conservative 10 req/s and finds the rate a server that publishes no
// bucket allows, from its NearLimit and 429 answers: at least 90% of a
// 50 req/s bucket over a long run and a short one (the deactivation of
// 500 users), and of a 20 req/s one, with few 429s, and it settles under
// the bucket's rate, not above it.
func TestCloudProbesTheRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n      int
		server float64
	}{{500, 50}, {3000, 50}, {1000, 20}} {
		t.Run(fmt.Sprintf("%d at %g", tc.n, tc.server), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				// As jira/cloud builds it: no ceiling, a max rate.
				c, fake, elapsed := cloudRun(t, tc.n, tc.server, int(tc.server), func(c *Config) { c.Rate, c.MaxRate = 0, 100 })
				got := statuses(fake)
				achieved := float64(got[200]) / elapsed.Seconds()
				t.Logf("%d requests: %.1f req/s of %g allowed in %s; %d answered 429; limit %s",
					tc.n, achieved, tc.server, elapsed, got[429], c.RateStatus())
				assert.GreaterOrEqual(t, achieved, 0.9*tc.server, "90% of the allowed rate")
				assert.LessOrEqual(t, got[429], tc.n/50, "few 429s")
				s := c.RateStatus()
				assert.Contains(t, []jira.RateSource{jira.RateAdaptive, jira.RateSlowed}, s.Source)
				assert.Less(t, s.Limit, 1.2*tc.server, "settled near the server's rate")
			})
		})
	}
}

// TestCloudProbeStartsLowAndStopsAtMax: the probe starts at 10 req/s with
// a burst of 10, and grows by a fifth of the max rate a second to the max
// rate, not beyond, on a server that never says it is near its limit.
func TestCloudProbeStartsLowAndStopsAtMax(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := jiratest.New(jiratest.WithFlavor(jira.Cloud))
		cr := fake.Credentials()
		c := newTestClient(t, fake.Transport(), func(c *Config) {
			c.BaseURL, c.Auth = fake.URL, Basic(cr.CloudEmail, jira.Secret(cr.CloudToken))
			c.Rate, c.MaxRate = 0, 100
		})
		assert.Equal(t, jira.RateStatus{Limit: 10, Burst: 10, Source: jira.RateAdaptive}, c.RateStatus(), "before any answer")
		start := time.Now()
		for time.Since(start) < 30*time.Second {
			_, err := c.Do(t.Context(), "GET", "/rest/api/3/myself", nil, nil, nil)
			require.NoError(t, err)
		}
		s := c.RateStatus()
		assert.Equal(t, 100.0, s.Limit)
		assert.Equal(t, 100, s.Burst, "one second's worth of the rate reached")
		assert.Equal(t, jira.RateAdaptive, s.Source)
		// From 10 to 100 by 20 a second: 4.5 s, 250 requests (and the
		// burst of 10); then 100 a second.
		assert.InDelta(t, 260+25.5*100, s.Requests, 100)
	})
}
