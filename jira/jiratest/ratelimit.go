package jiratest

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// bucket is a token bucket, refilled continuously.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills b at rate per second up to burst and takes one token. It
// returns the tokens left, or, when empty, how long until one is there.
func (b *bucket) take(now time.Time, rate float64, burst int) (left float64, wait time.Duration) {
	if b.last.IsZero() {
		b.tokens = float64(burst)
	} else if d := now.Sub(b.last); d > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+d.Seconds()*rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return b.tokens, 0
	}
	return b.tokens, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// limit applies the rate limit to the caller's bucket. It adds the
// flavour's rate-limit headers and, when the bucket is empty, answers 429
// and reports false.
func (s *Server) limit(c *call) bool {
	if s.cfg.rate <= 0 {
		return true
	}
	key := "anonymous"
	switch {
	case c.rt.auth == authOrg:
		key = "org:" + s.cfg.creds.OrgID
	case c.caller != nil:
		key = c.caller.key + c.caller.accountID
	}
	b := s.buckets[key]
	if b == nil {
		b = &bucket{}
		s.buckets[key] = b
	}
	now := time.Now()
	left, wait := b.take(now, s.cfg.rate, s.cfg.burst)
	h := c.w.Header()
	if s.cfg.flavor == jira.DataCenter && c.rt.auth != authOrg {
		// DC: X-RateLimit-* on every response. FillRate tokens are added
		// every Interval-Seconds.
		interval, fill := 1, s.cfg.rate
		if fill < 1 {
			interval, fill = int(math.Round(1/s.cfg.rate)), 1
		}
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.burst))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Max(0, left))))
		h.Set("X-RateLimit-Interval-Seconds", strconv.Itoa(interval))
		h.Set("X-RateLimit-FillRate", strconv.Itoa(int(math.Round(fill))))
		// Retry-After is whole seconds, truncated: a sub-second wait is
		// sent as 0, the quirk real DC servers show.
		h.Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
		if wait > 0 {
			c.errorf(http.StatusTooManyRequests, "Rate limit exceeded. Too many requests; please try again later.")
			return false
		}
		return true
	}
	// Cloud and the Admin API.
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.burst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Max(0, left))))
	if wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		h.Set("Retry-After", strconv.Itoa(secs))
		h.Set("X-RateLimit-Reset", now.Add(time.Duration(secs)*time.Second).UTC().Format("2006-01-02T15:04Z"))
		h.Set("RateLimit-Reason", "jira-burst-based")
		c.errorf(http.StatusTooManyRequests, "Rate limit exceeded.")
		return false
	}
	if left < 0.2*float64(s.cfg.burst) {
		h.Set("X-RateLimit-NearLimit", "true")
	}
	return true
}
