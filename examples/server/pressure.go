package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Back-pressure: the routes that read a whole site (users, plans,
// insights) and those that write to it (apply, undo) each have a bounded
// number of slots. A request waits up to queueWait for a slot, then is
// answered 429 with Retry-After: the server never queues without bound
// in front of a rate-limited site, and a client knows when to come back.
const (
	defaultMaxReads  = 4
	defaultMaxWrites = 2
	queueWait        = 2 * time.Second
	busyRetryAfter   = 5 * time.Second
)

// slots is a counting semaphore.
type slots chan struct{}

func newSlots(n, def int) slots {
	if n <= 0 {
		n = def
	}
	return make(slots, n)
}

// limit runs h when a slot frees up within queueWait; else it answers 429.
func (sl slots) limit(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(queueWait)
		defer t.Stop()
		select {
		case sl <- struct{}{}:
		case <-t.C:
			busy(w, http.StatusTooManyRequests, busyRetryAfter, "the server is busy: %d requests of this kind are running; retry later", cap(sl))
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-sl }()
		h(w, r)
	}
}

// busy answers code with a Retry-After header.
func busy(w http.ResponseWriter, code int, after time.Duration, format string, a ...any) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((after+time.Second-1)/time.Second))))
	writeError(w, code, format, a...)
}

// jiraFailed answers an error of the Jira site: its rate limiting as 503
// with the site's Retry-After (Jira is not failing: it asks this server to
// slow down), anything else as 502.
func jiraFailed(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, jira.ErrRateLimited) || errors.Is(err, jira.ErrRateLimitWait) {
		after := busyRetryAfter
		if rl, ok := errors.AsType[*jira.RateLimitError](err); ok && rl.RetryAfter > 0 {
			after = rl.RetryAfter
		}
		busy(w, http.StatusServiceUnavailable, after, "%s: the Jira site is rate limiting this server; retry later (%v)", what, err)
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		busy(w, http.StatusServiceUnavailable, busyRetryAfter, "%s: timed out: %v", what, err)
		return
	}
	writeError(w, http.StatusBadGateway, "%s: Jira failed: %v", what, err)
}
