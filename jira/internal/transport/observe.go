package transport

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// observer tells Config.Observer about a client's attempts and snapshots.
// A nil *observer observes nothing.
type observer struct {
	obs  jira.Observer
	site string // the base URL's host and path
}

func newObserver(o jira.Observer, base string) *observer {
	if o == nil {
		return nil
	}
	return &observer{obs: o, site: base}
}

// backoffKey carries, in a request's context, where [Client.Do] notes the
// wait before the next attempt that a 429 or 503 caused.
type backoffKey struct{}

// withBackoff returns ctx carrying a place for the backoff of one call's
// attempts, when there is an observer to tell.
func (o *observer) withBackoff(ctx context.Context) (context.Context, *time.Duration) {
	if o == nil {
		return ctx, nil
	}
	d := new(time.Duration)
	return context.WithValue(ctx, backoffKey{}, d), d
}

// request reports one attempt: the limiter's wait before it, the backoff
// the previous answer caused (taken from the context, once) and its answer.
func (o *observer) request(req *http.Request, resp *http.Response, wait, took time.Duration) {
	if o == nil {
		return
	}
	ev := jira.RequestEvent{Site: o.site, Method: req.Method, Wait: wait, Duration: took}
	if resp != nil {
		ev.Status = resp.StatusCode
	}
	if d, ok := req.Context().Value(backoffKey{}).(*time.Duration); ok {
		ev.Backoff, *d = *d, 0
	}
	o.obs.ObserveRequest(ev)
}

// noteBackoff records the wait before the next attempt when the answer
// was a 429 or 503 (the call's attempts are sequential: no lock needed).
func noteBackoff(d *time.Duration, resp *http.Response, wait time.Duration) {
	if d != nil && resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		*d = wait
	}
}

// ObserveSnapshot returns seq, reported to the client's observer when it
// ends (read to the end, failed or left by the caller): how many users it
// yielded, how long it took, the error that ended it. Without an observer
// it returns seq as it is.
func (c *Client) ObserveSnapshot(seq iter.Seq2[jira.User, error]) iter.Seq2[jira.User, error] {
	o := c.obs
	if o == nil {
		return seq
	}
	return func(yield func(jira.User, error) bool) {
		start := time.Now()
		ev := jira.SnapshotEvent{Site: o.site}
		defer func() {
			ev.Duration = time.Since(start)
			o.obs.ObserveSnapshot(ev)
		}()
		for u, err := range seq {
			if err != nil {
				ev.Err = err
			} else {
				ev.Users++
			}
			if !yield(u, err) {
				return
			}
		}
	}
}
