package jiratest

import (
	"net/http"
	"slices"
	"time"
)

// RateReport says how the requests a server received compare with its
// rate limit ([WithRateLimit]): load tests check that clients sharing a
// limiter never push the site past its bucket.
type RateReport struct {
	// Requests is every request received; Limited those answered 429.
	Requests, Limited int
	// Overshoot is the most requests accepted (not answered 429) in any
	// window of 1, 5 or 10 seconds beyond what the bucket allows in it
	// (rate × window + burst); 0 when never exceeded, or without a limit.
	Overshoot int
}

// RateReport compares the requests received so far with the rate limit.
func (s *Server) RateReport() RateReport {
	var rep RateReport
	var accepted []time.Time
	for _, r := range s.Requests() {
		rep.Requests++
		if r.Status == http.StatusTooManyRequests {
			rep.Limited++
		} else {
			accepted = append(accepted, r.Time)
		}
	}
	if s.cfg.rate <= 0 {
		return rep
	}
	slices.SortFunc(accepted, func(a, b time.Time) int { return a.Compare(b) })
	for _, w := range []time.Duration{time.Second, 5 * time.Second, 10 * time.Second} {
		allowed := int(s.cfg.rate*w.Seconds()) + s.cfg.burst
		j := 0
		for i := range accepted {
			for accepted[i].Sub(accepted[j]) > w {
				j++
			}
			rep.Overshoot = max(rep.Overshoot, i-j+1-allowed)
		}
	}
	return rep
}
