package transport

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
)

// Limiter paces requests. *rate.Limiter satisfies it. A Limiter given in
// [Config] is used as it is; only the client's own limiter adapts to the
// server's headers.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Slow-down bounds: each NearLimit or 429 halves the rate, down to
// minFactor of the target; each other response lets it recover by
// recoverStep.
const (
	minFactor   = 1.0 / 16
	recoverStep = 1.1
)

// adaptiveLimiter is a token bucket that follows the server: it never
// exceeds the configured ceiling, lowers itself to DC's advertised bucket
// and holds no more tokens than DC says remain, and slows down when Cloud
// says the budget is nearly spent.
type adaptiveLimiter struct {
	lim       *rate.Limiter
	ceiling   rate.Limit
	ceilBurst int
	log       *slog.Logger
	warn      rate.Sometimes // at most one "slowing down" warning a minute

	mu          sync.Mutex
	server      rate.Limit // DC's fill rate; rate.Inf until it says
	serverBurst int        // DC's bucket size; 0 until it says
	factor      float64    // slow-down factor in [minFactor, 1]
}

func newAdaptiveLimiter(r rate.Limit, burst int, log *slog.Logger) *adaptiveLimiter {
	return &adaptiveLimiter{
		lim:       rate.NewLimiter(r, burst),
		ceiling:   r,
		ceilBurst: burst,
		log:       log,
		warn:      rate.Sometimes{First: 1, Interval: time.Minute},
		server:    rate.Inf,
		factor:    1,
	}
}

// Wait implements [Limiter].
func (l *adaptiveLimiter) Wait(ctx context.Context) error { return l.lim.Wait(ctx) }

// observe adapts the limiter to a response.
func (l *adaptiveLimiter) observe(ctx context.Context, resp *http.Response) {
	info := parseRate(resp.Header)
	slow := info.NearLimit || resp.StatusCode == http.StatusTooManyRequests

	l.mu.Lock()
	if info.FillRate > 0 && info.Interval > 0 {
		l.server = rate.Limit(info.FillRate / info.Interval.Seconds())
	}
	if info.Limit > 0 {
		l.serverBurst = info.Limit
	}
	if slow {
		l.factor = max(l.factor/2, minFactor)
	} else {
		l.factor = min(l.factor*recoverStep, 1)
	}
	limit := min(l.ceiling, l.server)
	if limit != rate.Inf {
		limit *= rate.Limit(l.factor)
	}
	burst := l.ceilBurst
	if l.serverBurst > 0 {
		burst = min(burst, l.serverBurst)
	}
	burst = max(burst, 1)
	old, oldBurst := l.lim.Limit(), l.lim.Burst()
	now := time.Now()
	if limit != old {
		l.lim.SetLimitAt(now, limit)
	}
	if burst != oldBurst {
		l.lim.SetBurstAt(now, burst)
	}
	// DC's bucket is the server's truth: never hold more tokens than it
	// says remain (Cloud's Remaining counts another budget).
	if info.FillRate > 0 && resp.Header.Get("X-RateLimit-Remaining") != "" {
		if excess := l.lim.TokensAt(now) - float64(info.Remaining); excess >= 1 {
			l.lim.ReserveN(now, min(int(excess), burst))
		}
	}
	l.mu.Unlock()

	if limit < old || burst < oldBurst {
		l.log.LogAttrs(ctx, slog.LevelDebug, "jira: rate limit lowered",
			slog.Float64("limit", float64(limit)), slog.Int("burst", burst),
			slog.Bool("near_limit", info.NearLimit), slog.Int("status", resp.StatusCode))
	}
	if slow {
		l.warn.Do(func() {
			l.log.LogAttrs(ctx, slog.LevelWarn, "jira: near the server's rate limit, slowing down",
				slog.Float64("limit", float64(limit)), slog.Int("status", resp.StatusCode))
		})
	}
}

// limitTransport waits for the limiter before every attempt.
type limitTransport struct {
	wait     Limiter
	adaptive *adaptiveLimiter // nil when the caller supplied the Limiter
	next     http.RoundTripper
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := t.wait.Wait(ctx); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper always closes the body
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w (%v)", jira.ErrRateLimitWait, err)
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && t.adaptive != nil {
		t.adaptive.observe(ctx, resp)
	}
	return resp, err
}

func (t *limitTransport) CloseIdleConnections() { closeIdle(t.next) }

// defaultBurst is the burst for a rate when none is configured: one
// second's worth of requests, at least one.
func defaultBurst(r rate.Limit) int {
	if r == rate.Inf || r > math.MaxInt32 {
		return math.MaxInt32
	}
	return max(int(math.Ceil(float64(r))), 1)
}
