package transport

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/seatwarden/seatwarden/jira"
)

// Defaults for the zero fields of [Config].
const (
	DefaultRate         rate.Limit = 10 // requests per second
	DefaultTimeout                 = 30 * time.Second
	DefaultRetryMax                = 4
	DefaultRetryWaitMin            = time.Second
	DefaultRetryWaitMax            = time.Minute
	DefaultUserAgent               = "seatwarden (+https://github.com/seatwarden/seatwarden)"
)

// Config configures a [Client]. Only BaseURL is required.
type Config struct {
	// BaseURL is the site, e.g. "https://jira.example.com/jira" or
	// "https://example.atlassian.net", or "https://api.atlassian.com" for the
	// Admin API. Paths given to [Client.Do] are joined to it. It must not
	// carry credentials, a query or a fragment.
	BaseURL string
	// Auth is sent with every request to BaseURL's scheme and host.
	Auth Auth
	// Base is the RoundTripper that sends requests; nil means a clone of
	// [http.DefaultTransport].
	Base http.RoundTripper
	// Timeout bounds each attempt, not counting the rate limiter's wait;
	// zero means [DefaultTimeout], negative means none.
	Timeout time.Duration
	// Rate and Burst are the user's ceiling: the limiter never exceeds
	// them while it adapts to the server. When the server advertises its
	// bucket (Jira DC's X-RateLimit-FillRate, X-RateLimit-Interval-Seconds
	// and X-RateLimit-Limit), the limiter follows that bucket, capped by
	// the ceiling. Zero Rate means no ceiling: [DefaultRate] until the
	// server advertises a bucket, then the server's; [rate.Inf] means no
	// client-side limit until the server advertises one. Zero Burst means
	// the server's bucket size when it advertises one, else one second's
	// worth of Rate, at least 1.
	Rate  rate.Limit
	Burst int
	// MaxRate, when above [DefaultRate] and Rate is zero, makes the
	// limiter probe a server that does not advertise its bucket (Jira
	// Cloud): it starts at DefaultRate and grows towards MaxRate while the
	// server neither says it is near its limit (X-RateLimit-NearLimit) nor
	// answers 429, slows down when it does, and then grows slowly above
	// the rate at which it did. The burst is one second's worth of the
	// rate reached. A bucket the server advertises replaces it.
	MaxRate rate.Limit
	// Limiter, when set, replaces Rate and Burst and is used as it is,
	// without adapting; use it to share one limit among clients.
	Limiter Limiter
	// RetryMax is how many times a request is retried; zero means
	// [DefaultRetryMax], negative means never.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the wait between attempts; zero
	// means [DefaultRetryWaitMin] and [DefaultRetryWaitMax]. A server asking
	// for a longer wait than RetryWaitMax is not retried.
	RetryWaitMin, RetryWaitMax time.Duration
	// Logger receives debug records for retries and rate-limit changes; nil
	// means no logging.
	Logger *slog.Logger
	// UserAgent is sent as User-Agent; empty means [DefaultUserAgent].
	UserAgent string
	// Observer, when set, is told about every attempt and snapshot (see
	// [jira.Observer]).
	Observer jira.Observer
}

// Client sends JSON requests to one Jira site through the retry, rate
// limit, timeout and auth stack. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	ua       string
	hc       *http.Client
	limiter  Limiter
	lt       *limitTransport
	retryMax int
	waitMin  time.Duration
	waitMax  time.Duration
	log      *slog.Logger
	jitter   func(n int64) int64
	obs      *observer // nil: none
}

// New builds a Client from cfg.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := cfg.Auth.validate(); err != nil {
		return nil, err
	}
	c := &Client{
		base:     base,
		ua:       cmp.Or(cfg.UserAgent, DefaultUserAgent),
		retryMax: cfg.RetryMax,
		waitMin:  cmp.Or(cfg.RetryWaitMin, DefaultRetryWaitMin),
		waitMax:  cmp.Or(cfg.RetryWaitMax, DefaultRetryWaitMax),
		log:      cfg.Logger,
		jitter:   rand.Int64N,
		obs:      newObserver(cfg.Observer, base.Host+base.Path),
	}
	switch {
	case c.retryMax == 0:
		c.retryMax = DefaultRetryMax
	case c.retryMax < 0:
		c.retryMax = 0
	}
	if c.waitMin < 0 || c.waitMax < c.waitMin {
		return nil, fmt.Errorf("jira: retry waits must satisfy 0 <= min (%s) <= max (%s)", c.waitMin, c.waitMax)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if strings.ContainsAny(c.ua, "\r\n") {
		return nil, errors.New("jira: user agent contains a line break")
	}

	rt := cfg.Base
	if rt == nil {
		dt, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, errors.New("jira: http.DefaultTransport is not an *http.Transport; set Config.Base")
		}
		rt = dt.Clone()
	}
	rt = &authTransport{auth: cfg.Auth, scheme: base.Scheme, host: base.Host, next: rt}
	timeout := cmp.Or(cfg.Timeout, DefaultTimeout)
	if timeout > 0 {
		rt = &timeoutTransport{d: timeout, next: rt}
	}
	lt := &limitTransport{wait: cfg.Limiter, next: rt, obs: c.obs}
	if cfg.Limiter == nil {
		if cfg.Rate < 0 || cfg.Burst < 0 {
			return nil, fmt.Errorf("jira: negative rate %v or burst %d", cfg.Rate, cfg.Burst)
		}
		lt.adaptive = newAdaptiveLimiter(cfg.Rate, cfg.Burst, cfg.MaxRate, c.log)
		lt.wait = lt.adaptive
	}
	c.limiter = lt.wait
	c.lt = lt
	c.hc = &http.Client{
		Transport: lt,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errTooManyRedirects
			}
			return nil
		},
	}
	return c, nil
}

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("jira: invalid base URL") // the parse error would repeat the URL
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("jira: base URL must be http or https")
	case u.Host == "":
		return nil, errors.New("jira: base URL has no host")
	case u.User != nil:
		return nil, errors.New("jira: base URL must not contain credentials; use Auth")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("jira: base URL must not have a query or fragment")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// URL returns the absolute URL for an escaped path relative to the base URL
// and a query.
func (c *Client) URL(path string, query url.Values) (*url.URL, error) {
	if strings.ContainsAny(path, "?#") || strings.Contains(path, "://") {
		return nil, fmt.Errorf("jira: path %q must be a plain path; pass the query separately", path)
	}
	u := c.base.JoinPath(path)
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u, nil
}

// Limiter returns the limiter every attempt waits for.
func (c *Client) Limiter() Limiter { return c.limiter }

// RateStatus reports the client's current rate limit, where it comes
// from, and how many requests (attempts) it has sent.
func (c *Client) RateStatus() jira.RateStatus {
	var s jira.RateStatus
	if c.lt.adaptive != nil {
		s = c.lt.adaptive.status()
	} else {
		s.Source = jira.RateExternal
		if l, ok := c.limiter.(*rate.Limiter); ok {
			s.Limit, s.Burst = float64(l.Limit()), l.Burst()
		}
	}
	s.Requests = c.lt.sent.Load()
	return s
}

// Do sends one request and decodes the answer. path is an escaped path
// relative to the base URL (e.g. "/rest/api/2/user"); query may be nil.
// A non-nil body is sent as JSON. A 2xx response is decoded into out unless
// out is nil or the body is empty. An error status becomes a
// [*jira.APIError] or [*jira.RateLimitError]; a failure to get any response
// becomes an error naming the method and redacted URL that wraps the cause
// (a context error, [jira.ErrRateLimitWait], a network error). The returned
// [*jira.Response] is non-nil whenever a response was received, even with
// an error; its body is closed.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) (*jira.Response, error) {
	u, err := c.URL(path, query)
	if err != nil {
		return nil, err
	}
	var raw []byte // a byte slice, so that retryablehttp can replay it
	if body != nil {
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("jira: encode %s %s request: %w", method, redactURL(u), err)
		}
	}
	ctx, backoff := c.obs.withBackoff(ctx)
	var rawBody any
	if raw != nil {
		rawBody = raw
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), rawBody)
	if err != nil {
		return nil, fmt.Errorf("jira: build %s %s request: %w", method, redactURL(u), unwrapURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	p := &retryPolicy{method: method, waitMin: c.waitMin, waitMax: c.waitMax, jitter: c.jitter, log: c.log}
	rc := &retryablehttp.Client{
		HTTPClient:   c.hc,
		Logger:       nil, // we log ourselves, with redacted URLs
		RetryWaitMin: c.waitMin,
		RetryWaitMax: c.waitMax,
		RetryMax:     c.retryMax,
		CheckRetry:   p.checkRetry,
		Backoff: func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
			d := p.backoff(ctx, lo, hi, attempt, resp)
			noteBackoff(backoff, resp, d)
			return d
		},
		ErrorHandler: errorHandler,
	}
	resp, err := rc.Do(req)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, fmt.Errorf("jira: %s %s: %w", method, redactURL(u), unwrapURLError(err))
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // let the connection be reused
		_ = resp.Body.Close()
	}()
	r := &jira.Response{Response: resp, Rate: parseRate(resp.Header)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := responseError(method, u, resp, time.Now())
		c.log.LogAttrs(ctx, slog.LevelDebug, "jira: request failed",
			slog.String("method", method), slog.String("url", redactURL(u)), slog.Int("status", resp.StatusCode))
		return r, err
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return r, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return r, fmt.Errorf("jira: decode %s %s response: %w", method, redactURL(u), err)
	}
	return r, nil
}

// timeoutTransport bounds one attempt, from sending the request to closing
// the response body.
type timeoutTransport struct {
	d    time.Duration
	next http.RoundTripper
}

func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.d)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

func (t *timeoutTransport) CloseIdleConnections() { closeIdle(t.next) }

// cancelOnClose releases an attempt's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
