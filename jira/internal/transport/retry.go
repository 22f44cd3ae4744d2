package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// errTooManyRedirects stops a redirect loop; it is not retried.
var errTooManyRedirects = errors.New("jira: stopped after 10 redirects")

// idempotent reports whether a request with this method may be sent again
// after a failure whose effect on the server is unknown.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace,
		http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// neverSent reports whether err means the request could not reach the
// server at all, so even a POST is safe to send again.
func neverSent(err error) bool {
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return true
	}
	_, dns := errors.AsType[*net.DNSError](err)
	return dns
}

// dialRetries is how many times a request that could not connect (a
// refused connection, a DNS lookup that timed out) is retried, each after
// the minimum wait: a server restarting is back within seconds; one that
// is not there is reported at once rather than after a minute of backoff.
const dialRetries = 2

// noSuchHost reports a DNS answer that the host does not exist: a wrong
// URL, which no retry fixes.
func noSuchHost(err error) bool {
	d, ok := errors.AsType[*net.DNSError](err)
	return ok && d.IsNotFound
}

// permanent reports errors that another attempt cannot fix.
func permanent(err error) bool {
	if errors.Is(err, jira.ErrRateLimitWait) || errors.Is(err, errTooManyRedirects) || noSuchHost(err) {
		return true
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return true
	}
	_, ok := errors.AsType[x509.CertificateInvalidError](err)
	return ok
}

// retryPolicy decides about and times the retries of one call.
type retryPolicy struct {
	method           string
	waitMin, waitMax time.Duration
	jitter           func(n int64) int64 // uniform in [0, n) for n > 0
	log              *slog.Logger
	dialFails        int  // attempts that could not connect
	quick            bool // the last attempt could not connect: retry after waitMin
}

// checkRetry is the retryablehttp CheckRetry policy. It never returns an
// error: the final response or transport error is turned into a typed error
// by [Client.Do]. resp and err come from one attempt; at most one is set.
func (p *retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, nil
	}
	// A write its caller guards is sent once when its effect is unknown.
	resend := idempotent(p.method) && !(p.method != http.MethodGet && p.method != http.MethodHead &&
		p.method != http.MethodOptions && jira.GuardedWrites(ctx))
	p.quick = false
	if err != nil {
		if permanent(err) || (!resend && !neverSent(err)) {
			return false, nil
		}
		if neverSent(err) {
			if p.dialFails++; p.dialFails > dialRetries {
				return false, nil
			}
			p.quick = true
		}
		p.log.LogAttrs(ctx, slog.LevelDebug, "jira: request failed, may retry",
			slog.String("method", p.method), slog.String("error", unwrapURLError(err).Error()))
		return true, nil
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
	case code >= 500 && code != http.StatusNotImplemented && resend:
	default:
		return false, nil
	}
	// Never sooner than the server asks: when that is past the cap or the
	// deadline, stop now and let the caller see the typed error.
	wait := p.serverWait(resp)
	if wait > p.waitMax {
		return false, nil
	}
	if d, ok := ctx.Deadline(); ok && time.Now().Add(max(wait, p.waitMin)).After(d) {
		return false, nil
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "jira: retryable response",
		slog.String("method", p.method), slog.Int("status", resp.StatusCode),
		slog.Duration("server_wait", wait))
	return true, nil
}

// serverWait is the least wait the server asked for before the next
// attempt: Retry-After on a 429 or 503; else, on a 429, until Cloud's
// X-RateLimit-Reset or until DC's bucket refills one token. Zero when the
// server said nothing (DC's "Retry-After: 0" included).
func (p *retryPolicy) serverWait(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	code := resp.StatusCode
	if code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
		// DC sends "Retry-After: 0" on every response; it means nothing here.
		return 0
	}
	now := time.Now()
	if d, ok := retryAfter(resp.Header, now); ok && d > 0 {
		return d
	}
	if code != http.StatusTooManyRequests {
		return 0
	}
	if t := rateLimitReset(resp.Header); !t.IsZero() {
		return max(t.Sub(now), 0)
	}
	if info := parseRate(resp.Header); info.FillRate > 0 && info.Interval > 0 {
		return time.Duration(float64(info.Interval) / info.FillRate)
	}
	return 0
}

// backoff is the retryablehttp Backoff: the larger of the exponential step
// (min·2^attempt, capped at max) and the server's wait, plus up to 25%
// jitter, capped at max but never below the server's wait.
func (p *retryPolicy) backoff(ctx context.Context, lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if p.quick {
		lo, hi = p.waitMin, p.waitMin
	}
	floor := p.serverWait(resp)
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests && floor > 0 && floor < lo &&
		parseRate(resp.Header).FillRate > 0 {
		// DC said how its bucket refills: back off from the refill time
		// of one token, not from the generic minimum, or a short burst of
		// 429s costs whole seconds at a server that allows hundreds of
		// requests a second. The limiter, below, still paces every attempt.
		lo = floor
	}
	step := hi
	if attempt < 32 && lo<<attempt > 0 && lo<<attempt < hi {
		step = lo << attempt
	}
	wait := max(step, floor)
	if j := int64(wait / 4); j > 0 {
		wait += time.Duration(p.jitter(j + 1))
	}
	wait = min(wait, max(hi, floor))
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "jira: retrying",
		slog.String("method", p.method), slog.Int("status", status),
		slog.Int("retry", attempt+1), slog.Duration("wait", wait))
	return wait
}

// errorHandler hands back the final response and error as they are, so
// that [Client.Do] can turn them into typed errors (retryablehttp's own
// handling would drop the response).
func errorHandler(resp *http.Response, err error, _ int) (*http.Response, error) {
	return resp, err
}
