package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// The server's Prometheus metrics (package report/metrics): the clients
// report every request and snapshot to them, every run that reaches its
// report is counted by their sink (applies through the API, approved
// plans, undos), and the plans waiting for approval are read from the
// history at each scrape. They are served at GET /metrics behind the API
// token, or, with --metrics-addr, on an address of their own without it.

// withMetrics completes c: the metrics (made over the history when
// none), and the connection that makes every client report to them.
func (c *serverConfig) withMetrics() {
	if c.metrics == nil {
		c.metrics = newMetrics(c.store)
	}
	m, connect := c.metrics, c.connect
	c.connect = func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
		s.Observer = m
		return connect(ctx, s)
	}
}

// newMetrics returns metrics whose pending approvals are the store's
// pending plans.
func newMetrics(store history.PlanStore) *metrics.Metrics {
	return metrics.New(metrics.Options{Pending: func(ctx context.Context) ([]time.Time, error) {
		plans, err := store.Plans(ctx, history.PlanPending)
		recorded := make([]time.Time, len(plans))
		for i, p := range plans {
			recorded[i] = p.Created
		}
		return recorded, err
	}})
}

// sinks are the sinks every manager of the server reports its runs to.
func (c serverConfig) sinks() []report.Sink { return []report.Sink{c.metrics.Sink()} }

// metricsRoute serves GET /metrics on the API's mux, behind the API
// token, unless they are served on an address of their own.
func (s *server) metricsRoute(mux *http.ServeMux) {
	if !s.cfg.metricsElsewhere {
		mux.Handle("GET /metrics", s.auth(s.cfg.metrics.Handler()))
	}
}

// metricsAddr is --metrics-addr, else $SEATWARDEN_METRICS_ADDR ("": the
// metrics are served at /metrics behind the API token).
func (p program) metricsAddr(f flags) string {
	if f.metricsAddr != "" {
		return f.metricsAddr
	}
	return p.getenv(metrics.EnvAddr)
}

// listenMetrics serves the metrics on addr, without the API token, when
// addr is given; stop stops it.
func (s *server) listenMetrics(addr string) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ep, err := s.cfg.metrics.Listen(addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	s.cfg.log.Info("serving metrics", "url", ep.URL())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ep.Close(ctx)
	}, nil
}
