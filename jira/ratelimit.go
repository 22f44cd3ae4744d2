package jira

import (
	"fmt"
	"math"
)

// RateSource says where a client's current rate limit comes from.
type RateSource string

// The sources of a client's rate limit.
const (
	// RateDefault is the conservative default (10 requests per second)
	// of a client given no ceiling, before the server advertises a bucket.
	RateDefault RateSource = "default"
	// RateCeiling is the ceiling the user set (WithRateLimit, a policy
	// file's rateLimit, --rate).
	RateCeiling RateSource = "ceiling"
	// RateServer is the bucket the server advertises (Jira DC's
	// X-RateLimit-FillRate, X-RateLimit-Interval-Seconds and
	// X-RateLimit-Limit): the admin's explicit allowance.
	RateServer RateSource = "server"
	// RateAdaptive is the rate a client given no ceiling found for a
	// server that advertises no bucket (Jira Cloud): it started at the
	// default and grows while the server does not say it is near its
	// limit.
	RateAdaptive RateSource = "adaptive"
	// RateSlowed is a limit the client lowered after the server said it
	// was near its limit or answered 429.
	RateSlowed RateSource = "slowed"
	// RateExternal is a limiter the caller supplied (WithLimiter), whose
	// rate the client does not know.
	RateExternal RateSource = "limiter"
)

// RateStatus is a client's rate limit as it stands, and how many requests
// it has sent: what the clients' RateStatus methods report, for run
// summaries, logs and progress lines.
type RateStatus struct {
	// Limit is the requests per second the client allows itself now;
	// +Inf for no limit, 0 when unknown (RateExternal).
	Limit float64
	// Burst is how many requests may go at once.
	Burst int
	// Source says where Limit comes from.
	Source RateSource
	// Ceiling is the user's ceiling; 0 when none was set.
	Ceiling float64
	// Server and ServerBurst are the bucket the server advertises; 0 until
	// it does (Jira Cloud never does).
	Server      float64
	ServerBurst int
	// Requests counts the requests sent, each retry included; on Cloud
	// those to the Admin API too.
	Requests int64
	// Admin is the Cloud client's Atlassian Admin API: a separate service
	// with limits of its own, and a limiter of its own (its Requests are
	// counted in Requests above too). Nil elsewhere.
	Admin *RateStatus
}

// String describes the limit in a few words, e.g. "50 req/s, burst 100
// (server)".
func (s RateStatus) String() string {
	switch {
	case s.Source == RateExternal:
		return "limiter supplied by the caller"
	case math.IsInf(s.Limit, 1):
		return "unlimited"
	}
	out := fmt.Sprintf("%.4g req/s, burst %d (%s)", s.Limit, s.Burst, s.Source)
	if s.Admin != nil {
		out += "; Admin API " + s.Admin.String()
	}
	return out
}
