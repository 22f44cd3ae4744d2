package transport

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

func TestRetryByStatusAndMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		status   int
		attempts int // 1 = not retried; 5 = RetryMax 4 exhausted
	}{
		{"GET 500 retried", "GET", 500, 5},
		{"PUT 502 retried", "PUT", 502, 5},
		{"DELETE 504 retried", "DELETE", 504, 5},
		{"GET 501 not retried", "GET", 501, 1},
		{"POST 500 not retried", "POST", 500, 1},
		{"POST 502 not retried", "POST", 502, 1},
		{"POST 429 retried", "POST", 429, 5},
		{"POST 503 retried", "POST", 503, 5},
		{"PATCH 503 retried", "PATCH", 503, 5},
		{"GET 429 retried", "GET", 429, 5},
		{"GET 404 not retried", "GET", 404, 1},
		{"GET 400 not retried", "GET", 400, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := newScript(reply(tt.status, `{"errorMessages":["boom"],"errors":{}}`))
				c := newTestClient(t, handlerTransport{s}, nil)
				resp, err := c.Do(t.Context(), tt.method, "/rest/api/2/user", nil, map[string]bool{"active": false}, nil)
				require.Error(t, err)
				assert.Len(t, s.got(), tt.attempts)

				// The final response becomes a typed error that keeps Jira's message.
				apiErr, ok := errors.AsType[*jira.APIError](err)
				require.True(t, ok, "error %v is not an *APIError", err)
				assert.Equal(t, tt.status, apiErr.StatusCode)
				assert.Equal(t, []string{"boom"}, apiErr.Messages)
				assert.NotContains(t, err.Error(), "giving up")
				require.NotNil(t, resp)
				assert.Equal(t, tt.status, resp.StatusCode)
				_, isRate := errors.AsType[*jira.RateLimitError](err)
				assert.Equal(t, tt.status == 429, isRate)
			})
		})
	}
}

func TestRetrySucceedsAndReplaysBody(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newScript(reply(429, "", "Retry-After", "2"), reply(503, ""), reply(201, `{"key":"JIRAUSER1"}`))
		c := newTestClient(t, handlerTransport{s}, nil)
		var out struct{ Key string }
		resp, err := c.Do(t.Context(), "POST", "/rest/api/2/user", nil, map[string]string{"name": "fred"}, &out)
		require.NoError(t, err)
		assert.Equal(t, 201, resp.StatusCode)
		assert.Equal(t, "JIRAUSER1", out.Key)
		got := s.got()
		require.Len(t, got, 3)
		for _, a := range got {
			assert.JSONEq(t, `{"name":"fred"}`, string(a.body), "every attempt sends the whole body")
		}
		assert.Equal(t, []time.Duration{2 * time.Second, 2 * time.Second}, s.gaps(),
			"Retry-After 2s, then exponential step 2 for the second retry")
	})
}

func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mod    func(*Config)
		header []string
		want   []time.Duration
	}{
		{"exponential", nil, nil, []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"capped", func(c *Config) { c.RetryWaitMax = 3 * time.Second }, nil,
			[]time.Duration{1 * time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}},
		{"custom minimum", func(c *Config) { c.RetryWaitMin = 100 * time.Millisecond; c.RetryMax = 3 }, nil,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"Retry-After seconds", nil, []string{"Retry-After", "7"},
			[]time.Duration{7 * time.Second, 7 * time.Second, 7 * time.Second, 8 * time.Second}},
		{"Retry-After 0 is the minimum wait", nil, []string{"Retry-After", "0"},
			[]time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"DC refill time without Retry-After", nil, []string{"X-RateLimit-FillRate", "1", "X-RateLimit-Interval-Seconds", "5"},
			[]time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second, 8 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := newScript(reply(429, "", tt.header...))
				c := newTestClient(t, handlerTransport{s}, tt.mod)
				_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
				require.ErrorIs(t, err, jira.ErrRateLimited)
				assert.Equal(t, tt.want, s.gaps())
			})
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newScript(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(12*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		}, reply(200, `{}`))
		c := newTestClient(t, handlerTransport{s}, nil)
		_, err := c.Do(t.Context(), "POST", "/rest/api/3/issue", nil, struct{}{}, nil)
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{12 * time.Second}, s.gaps())
	})
}

func TestCloudResetWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// The fake clock starts on a whole minute; Cloud's reset has minute precision.
		reset := time.Now().Add(2 * time.Minute).UTC().Format("2006-01-02T15:04Z")
		s := newScript(reply(429, "", "X-RateLimit-Reset", reset), reply(200, `{}`))
		c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.RetryWaitMax = 5 * time.Minute })
		_, err := c.Do(t.Context(), "GET", "/rest/api/3/myself", nil, nil, nil)
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{2 * time.Minute}, s.gaps())
	})
}

func TestJitterBounds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// Real randomness here: the bounds must hold for every draw.
		p := &retryPolicy{method: "GET", waitMin: time.Second, waitMax: 10 * time.Second,
			jitter: rand.Int64N, log: slog.New(slog.DiscardHandler)}
		resp := func(h ...string) *http.Response {
			r := &http.Response{StatusCode: 429, Header: http.Header{}}
			for i := 0; i+1 < len(h); i += 2 {
				r.Header.Set(h[i], h[i+1])
			}
			return r
		}
		seen := map[time.Duration]bool{}
		for range 2000 {
			for attempt, step := range []time.Duration{1, 2, 4, 8, 10, 10} {
				step *= time.Second
				w := p.backoff(t.Context(), p.waitMin, p.waitMax, attempt, resp())
				assert.GreaterOrEqual(t, w, step)
				assert.LessOrEqual(t, w, min(step+step/4, p.waitMax))
				if attempt == 0 {
					seen[w] = true
				}
			}
			w := p.backoff(t.Context(), p.waitMin, p.waitMax, 0, resp("Retry-After", "6"))
			assert.GreaterOrEqual(t, w, 6*time.Second, "never sooner than Retry-After")
			assert.LessOrEqual(t, w, 7500*time.Millisecond)
			w = p.backoff(t.Context(), p.waitMin, p.waitMax, 0, resp("Retry-After", "10"))
			assert.Equal(t, 10*time.Second, w, "jitter never pushes past the cap")
		}
		assert.Greater(t, len(seen), 100, "jitter spreads the first retry")
	})
}

func TestNoRetryBeyondCapOrDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		header   []string
		deadline time.Duration
	}{
		{"Retry-After past the cap", 429, []string{"Retry-After", "3600", "RateLimit-Reason", "jira-quota-tenant-based"}, 0},
		{"503 Retry-After past the cap", 503, []string{"Retry-After", "120"}, 0},
		{"Retry-After past the deadline", 429, []string{"Retry-After", "20"}, 10 * time.Second},
		{"minimum wait past the deadline", 429, []string{"Retry-After", "0"}, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := newScript(reply(tt.status, "", tt.header...))
				c := newTestClient(t, handlerTransport{s}, nil)
				ctx := t.Context()
				if tt.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}
				start := time.Now()
				_, err := c.Do(ctx, "GET", "/rest/api/2/myself", nil, nil, nil)
				assert.Zero(t, time.Since(start), "fails at once instead of waiting in vain")
				assert.Len(t, s.got(), 1)
				rl, ok := errors.AsType[*jira.RateLimitError](err)
				require.True(t, ok, "got %v", err)
				ra, _ := retryAfter(http.Header{"Retry-After": {tt.header[1]}}, time.Now())
				assert.Equal(t, ra, rl.RetryAfter)
				assert.Equal(t, tt.status, rl.Err.StatusCode)
			})
		})
	}
}

func TestNetworkErrors(t *testing.T) {
	t.Parallel()
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	noHost := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.atlassian.invalid", IsNotFound: true}}
	dnsTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "jira.example.com", IsTimeout: true}}
	tests := []struct {
		name     string
		method   string
		err      error
		attempts int
	}{
		{"GET reset retried", "GET", reset, 5},
		{"DELETE reset retried", "DELETE", reset, 5},
		{"POST reset not retried", "POST", reset, 1},
		{"POST refused retried twice (never sent)", "POST", refused, 3},
		{"GET refused retried twice, not more", "GET", refused, 3},
		{"no such host never retried", "GET", noHost, 1},
		{"DNS timeout retried twice", "GET", dnsTimeout, 3},
		{"rate limit wait never retried", "GET", jira.ErrRateLimitWait, 1},
		{"bad certificate never retried", "GET", x509.UnknownAuthorityError{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rt := &errTransport{err: tt.err}
				c := newTestClient(t, rt, nil)
				resp, err := c.Do(t.Context(), tt.method, "/rest/api/2/user", nil, nil, nil)
				assert.Nil(t, resp)
				require.ErrorIs(t, err, tt.err)
				assert.Equal(t, tt.attempts, rt.count())
				assert.Contains(t, err.Error(), "jira: "+tt.method+" "+testBase+"/rest/api/2/user")
			})
		})
	}
}

func TestContextStopsRetries(t *testing.T) {
	t.Parallel()
	t.Run("cancel during backoff", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := newScript(reply(503, "", "Retry-After", "30"))
			c := newTestClient(t, handlerTransport{s}, nil)
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(2*time.Second, cancel)
			start := time.Now()
			_, err := c.Do(ctx, "GET", "/rest/api/2/myself", nil, nil, nil)
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 2*time.Second, time.Since(start))
			assert.Len(t, s.got(), 1)
		})
	})
	t.Run("cancelled before the response is judged", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			s := newScript(reply(500, `{"errorMessages":["late"]}`))
			c := newTestClient(t, rtFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := handlerTransport{s}.RoundTrip(r)
				cancel() // the caller gives up just as the answer arrives
				return resp, err
			}), nil)
			_, err := c.Do(ctx, "GET", "/rest/api/2/myself", nil, nil, nil)
			assert.Len(t, s.got(), 1, "no retry once the context is done")
			apiErr, ok := errors.AsType[*jira.APIError](err)
			require.True(t, ok, "the response that arrived is reported: %v", err)
			assert.Equal(t, []string{"late"}, apiErr.Messages)
		})
	})
	t.Run("per-attempt timeout", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := newScript(func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // a server that never answers
			})
			c := newTestClient(t, handlerTransport{s}, func(c *Config) { c.Timeout = 5 * time.Second; c.RetryMax = 2 })
			_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, []time.Duration{5*time.Second + 1*time.Second, 5*time.Second + 2*time.Second}, s.gaps())
		})
	})
}

// TestDialFailuresFailFast: a host that does not resolve fails at once,
// and a refused connection after two quick retries (the minimum wait
// each), not after the minute of exponential backoff a 5xx gets.
func TestDialFailuresFailFast(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		err      error
		attempts int
		took     time.Duration
	}{
		{"no such host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}, 1, 0},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, 3, 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rt := &errTransport{err: tt.err}
				c := newTestClient(t, rt, nil)
				start := time.Now()
				_, err := c.Do(t.Context(), "GET", "/rest/api/2/myself", nil, nil, nil)
				require.ErrorIs(t, err, tt.err)
				assert.Equal(t, tt.attempts, rt.count())
				assert.Equal(t, tt.took, time.Since(start))
			})
		})
	}
}
