package jira

import "time"

// Observer is told what a client does, for metrics: every request
// attempt it sends and every snapshot it reads. The clients take one
// with their WithObserver options (usermgmt: Site.Observer). Its methods
// are called from the goroutines that send the requests, concurrently:
// they must be quick and safe for concurrent use. Package report/metrics
// has one that feeds Prometheus.
type Observer interface {
	// ObserveRequest is called after each attempt, retries included,
	// whether or not it got a response.
	ObserveRequest(RequestEvent)
	// ObserveSnapshot is called when a snapshot ends: read to the end,
	// failed, or left by its caller.
	ObserveSnapshot(SnapshotEvent)
}

// RequestEvent is one attempt a client sent. It carries no URL path, no
// query and no credential.
type RequestEvent struct {
	// Site is the host and base path the client talks to, e.g.
	// "jira.example.com/jira"; a Cloud client's Admin API calls name the
	// Admin API's host.
	Site string
	// Method is the HTTP method.
	Method string
	// Status is the response's status code; 0 when there was none (a
	// network error, a timeout, a cancelled context).
	Status int
	// Wait is how long the attempt waited for the client's rate limiter
	// before it was sent.
	Wait time.Duration
	// Backoff is how long the client waited before this attempt because
	// the server answered the previous one with 429 or 503 (its
	// Retry-After, or the backoff); zero for a first attempt and for
	// retries after other failures.
	Backoff time.Duration
	// Duration is how long the attempt took, from sending the request to
	// the response's headers (or the failure), waits not included.
	Duration time.Duration
}

// SnapshotEvent is a snapshot a client read ([Site].Snapshot).
type SnapshotEvent struct {
	// Site is as in [RequestEvent].
	Site string
	// Users is how many users it yielded.
	Users int
	// Duration is the time from the first request to the end.
	Duration time.Duration
	// Err is the error that ended it, nil when it was read to the end or
	// its caller stopped early.
	Err error
}
