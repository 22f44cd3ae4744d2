package transport

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
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

// How the limiter slows down for a server that does not advertise its
// bucket (Cloud). It is AIMD: a 429 halves the rate and
// X-RateLimit-NearLimit takes a fifth off, down to minFactor of the
// target, each at most once per cutInterval (a NearLimit cut does not hold
// off a 429's): the answers to requests already in flight report the
// congestion the cut dealt with. Once neither has been seen for
// cutInterval, the rate grows back by recoverPerSecond of the target per
// second. NearLimit is the steady state of a client that uses its whole
// budget: halving on every one collapsed the rate to minFactor, and a
// client pacing at the server's own rate got well under it.
const (
	minFactor        = 1.0 / 16
	rateLimitCut     = 0.5
	nearLimitCut     = 0.8
	cutInterval      = time.Second
	recoverPerSecond = 0.1
	// dcRecoverStep is how much of the rate a response gives back to a
	// limiter that follows an advertised bucket (DC), after a 429 without
	// the bucket's headers halved it.
	dcRecoverStep = 1.1
	// kneeCut and kneeRecoverPerSecond: a probing limiter (Cloud without
	// a ceiling, see [Config].MaxRate) remembers the knee, a fifth below
	// the rate at which the server last said it was near its limit or
	// answered 429; it grows back fast (recoverPerSecond) below the knee
	// and slowly above it, so that it settles under the server's rate
	// instead of overshooting it every few seconds.
	kneeCut              = 0.8
	kneeRecoverPerSecond = 0.01
	// probeRecoverPerSecond is how fast a probing limiter grows below
	// the knee: a fifth of the max rate a second (20 req/s a second for
	// Cloud's 100), so that a job of a few hundred requests is not spent
	// climbing.
	probeRecoverPerSecond = 0.2
	// signalMemory is how long a probing limiter reports itself slowed
	// after the server's last signal.
	signalMemory = 10 * time.Second
)

// adaptiveLimiter is a token bucket that follows the server: it takes
// DC's advertised bucket (rate and burst) as the allowance, never above
// the user's ceiling when one is set, holds no more tokens than DC says
// remain, and slows down when Cloud says the budget is nearly spent.
// Without a user ceiling it starts at [DefaultRate] until the server
// advertises its bucket; a probing limiter (a max rate and no ceiling:
// Cloud) grows from there towards the max rate while the server does not
// say it is near its limit.
type adaptiveLimiter struct {
	lim       *rate.Limiter
	ceiling   rate.Limit // the user's ceiling, the max rate when probing, else DefaultRate
	ceilBurst int        // the user's burst, or one second of ceiling when !userBurst
	userRate  bool       // the user set the ceiling
	userBurst bool       // the user set the burst
	probe     bool       // no ceiling and a max rate: grow from DefaultRate towards it
	log       *slog.Logger
	warn      rate.Sometimes // at most one "slowing down" warning a minute

	mu           sync.Mutex
	server       rate.Limit // DC's fill rate; rate.Inf until it says
	serverBurst  int        // DC's bucket size; 0 until it says
	factor       float64    // slow-down factor in [minFactor, 1]
	lastCut      time.Time  // when factor was last cut
	last429Cut   time.Time  // when a 429 last cut it
	lastSignal   time.Time  // when the last 429 or NearLimit came
	lastSeen     time.Time  // when the last response was observed
	allowed      rate.Limit // the last allowance, before any slow-down
	allowedBurst int
	knee         float64 // probing: the factor above which the rate grows slowly
}

// newAdaptiveLimiter returns a limiter with the user's ceiling r and burst
// (zero: none set), probing up to maxRate when r is zero and maxRate is
// not (see [Config]).
func newAdaptiveLimiter(r rate.Limit, burst int, maxRate rate.Limit, log *slog.Logger) *adaptiveLimiter {
	userRate, userBurst := r != 0, burst > 0
	probe := !userRate && maxRate > DefaultRate
	factor := 1.0
	switch {
	case probe:
		r, factor = maxRate, float64(DefaultRate/maxRate)
	case !userRate:
		r = DefaultRate
	}
	if !userBurst {
		burst = defaultBurst(r)
	}
	start, startBurst := r*rate.Limit(factor), burst
	if probe && !userBurst {
		startBurst = defaultBurst(start)
	}
	return &adaptiveLimiter{
		lim:       rate.NewLimiter(start, startBurst),
		ceiling:   r,
		ceilBurst: burst,
		userRate:  userRate,
		userBurst: userBurst,
		probe:     probe,
		log:       log,
		warn:      rate.Sometimes{First: 1, Interval: time.Minute},
		server:    rate.Inf,
		factor:    factor,
		knee:      1,
	}
}

// Wait implements [Limiter].
func (l *adaptiveLimiter) Wait(ctx context.Context) error { return l.lim.Wait(ctx) }

// observe adapts the limiter to a response.
func (l *adaptiveLimiter) observe(ctx context.Context, resp *http.Response) {
	info := parseRate(resp.Header)
	// A 429 from a server that advertises its bucket (DC) needs no
	// slow-down: the limiter already follows that bucket, and the 429 came
	// from requests in flight, whose tokens the Remaining sync below takes
	// back. Elsewhere (Cloud) a 429 halves the rate and NearLimit slows it
	// down by a fifth (see minFactor).
	cut := 1.0
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && info.FillRate == 0:
		cut = rateLimitCut
	case info.NearLimit:
		cut = nearLimitCut
	}
	slow := cut < 1
	now := time.Now()

	l.mu.Lock()
	if info.FillRate > 0 && info.Interval > 0 {
		l.server = rate.Limit(info.FillRate / info.Interval.Seconds())
	}
	if info.Limit > 0 {
		l.serverBurst = info.Limit
	}
	since := l.lastCut
	if cut == rateLimitCut {
		since = l.last429Cut
	}
	switch {
	case l.server != rate.Inf:
		// The server advertises its bucket (DC), which the limiter
		// follows; only a 429 without those headers (a proxy's) slows it,
		// and the rate comes back by a tenth with each other response.
		if slow {
			l.factor = max(l.factor*rateLimitCut, minFactor)
		} else {
			l.factor = min(l.factor*dcRecoverStep, 1)
		}
	case slow:
		l.lastSignal = now
		if since.IsZero() || now.Sub(since) >= cutInterval {
			if l.probe {
				l.knee = l.factor * kneeCut
			}
			l.factor = max(l.factor*cut, minFactor)
			l.lastCut = now
			if cut == rateLimitCut {
				l.last429Cut = now
			}
		}
	case !l.lastSeen.IsZero() && (l.lastSignal.IsZero() || now.Sub(l.lastSignal) >= cutInterval):
		l.factor = l.grow(now.Sub(l.lastSeen).Seconds())
	}
	l.lastSeen = now
	limit, burst := l.allowance()
	allowed := limit != l.allowed || burst != l.allowedBurst
	l.allowed, l.allowedBurst = limit, burst
	if limit != rate.Inf {
		limit *= rate.Limit(l.factor)
	}
	if l.probe && !l.userBurst && l.server == rate.Inf {
		burst = min(burst, defaultBurst(limit)) // one second's worth of the rate reached
	}
	old, oldBurst := l.lim.Limit(), l.lim.Burst()
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

	switch {
	case allowed && info.FillRate > 0:
		l.log.LogAttrs(ctx, slog.LevelInfo, "jira: following the server's rate limit",
			slog.Float64("limit", float64(limit)), slog.Int("burst", burst),
			slog.Float64("ceiling", float64(l.userCeiling())))
	case limit < old || burst < oldBurst:
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

// grow returns the factor after secs seconds without a signal: up by
// recoverPerSecond a second; when probing, by probeRecoverPerSecond below
// the knee and kneeRecoverPerSecond above it; never above 1. The caller
// holds l.mu.
func (l *adaptiveLimiter) grow(secs float64) float64 {
	f, fast, slow := l.factor, recoverPerSecond, recoverPerSecond
	if l.probe {
		fast, slow = probeRecoverPerSecond, kneeRecoverPerSecond
	}
	if f < l.knee {
		if f+fast*secs <= l.knee {
			return f + fast*secs
		}
		secs -= (l.knee - f) / fast
		f = l.knee
	}
	return min(f+slow*secs, 1)
}

// allowance is the rate and burst the limiter follows before any
// slow-down: the server's bucket when it advertises one, capped by the
// user's ceiling and burst when set; else the ceiling (or the default).
// The caller holds l.mu.
func (l *adaptiveLimiter) allowance() (rate.Limit, int) {
	limit, burst := l.ceiling, l.ceilBurst
	if l.server != rate.Inf {
		limit = l.server
		if l.userRate {
			limit = min(l.ceiling, l.server)
		}
	}
	if l.serverBurst > 0 {
		// The bucket's size is the allowance only with its rate (DC);
		// else (Cloud's budget) it only caps the burst.
		burst = min(l.ceilBurst, l.serverBurst)
		if l.server != rate.Inf && !l.userRate && !l.userBurst {
			burst = l.serverBurst
		}
	}
	return limit, max(burst, 1)
}

// userCeiling is the user's ceiling, 0 when none was set.
func (l *adaptiveLimiter) userCeiling() rate.Limit {
	if !l.userRate {
		return 0
	}
	return l.ceiling
}

// status reports the limiter's current limit and where it comes from.
func (l *adaptiveLimiter) status() jira.RateStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := jira.RateStatus{Limit: float64(l.lim.Limit()), Burst: l.lim.Burst(), Ceiling: float64(l.userCeiling())}
	if l.server != rate.Inf { // a bucket (DC), not Cloud's budget
		s.Server, s.ServerBurst = float64(l.server), l.serverBurst
	}
	switch {
	case l.probe && l.server == rate.Inf:
		s.Source = jira.RateAdaptive
		if !l.lastSignal.IsZero() && time.Since(l.lastSignal) < signalMemory {
			s.Source = jira.RateSlowed
		}
	case l.factor < 1:
		s.Source = jira.RateSlowed
	case l.server != rate.Inf && (!l.userRate || l.server <= l.ceiling):
		s.Source = jira.RateServer
	case l.userRate:
		s.Source = jira.RateCeiling
	default:
		s.Source = jira.RateDefault
	}
	return s
}

// limitTransport waits for the limiter before every attempt.
type limitTransport struct {
	wait     Limiter
	adaptive *adaptiveLimiter // nil when the caller supplied the Limiter
	next     http.RoundTripper
	sent     atomic.Int64 // attempts sent, retries included
	obs      *observer    // nil: none
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	start := time.Now()
	if err := t.wait.Wait(ctx); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper always closes the body
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w (%v)", jira.ErrRateLimitWait, err)
	}
	t.sent.Add(1)
	sent := time.Now()
	resp, err := t.next.RoundTrip(req)
	t.obs.request(req, resp, sent.Sub(start), time.Since(sent))
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
