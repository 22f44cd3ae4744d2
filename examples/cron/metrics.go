package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seatwarden/seatwarden/report"
	reporthistory "github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/report/metrics"
	"github.com/seatwarden/seatwarden/schedule"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// The daemon's Prometheus metrics (package report/metrics), served with
// --metrics-addr (or SEATWARDEN_METRICS_ADDR) at /metrics, without
// authentication. Every client reports its requests and snapshots to
// them; every policy run is counted once: by the metrics' sink when it
// reaches a report (an applied run, a dry run, an approved plan applied
// by the poll), else when it ends (refused, failed before its report,
// waiting for approval). Without the flag the daemon keeps none.

// startMetrics makes the metrics, over the history's pending plans, and
// serves them when an address is given; stop stops serving.
func (a *app) startMetrics(f flags, cfg *daemonConfig, plans reporthistory.PlanStore, log *slog.Logger) (stop func(), err error) {
	addr := f.metricsAddr
	if addr == "" {
		addr, _ = a.lookupEnv(metrics.EnvAddr)
	}
	if addr == "" {
		return func() {}, nil
	}
	cfg.Metrics = metrics.New(metrics.Options{Pending: func(ctx context.Context) ([]time.Time, error) {
		pending, err := plans.Plans(ctx, reporthistory.PlanPending)
		recorded := make([]time.Time, len(pending))
		for i, p := range pending {
			recorded[i] = p.Created
		}
		return recorded, err
	}})
	ep, err := cfg.Metrics.Listen(addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	log.Info("serving metrics", "url", ep.URL())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ep.Close(ctx)
	}, nil
}

// observed returns connect (nil: usermgmt.Connect) making every client
// report to m, or connect itself when m is nil.
func observed(m *metrics.Metrics, connect func(context.Context, usermgmt.Site) (usermgmt.Client, error)) func(context.Context, usermgmt.Site) (usermgmt.Client, error) {
	if m == nil {
		return connect
	}
	if connect == nil {
		connect = usermgmt.Connect
	}
	return func(ctx context.Context, s usermgmt.Site) (usermgmt.Client, error) {
		s.Observer = m
		return connect(ctx, s)
	}
}

// sinks are the sinks every manager of the daemon reports its runs to.
func (d *daemon) sinks() []report.Sink {
	if d.cfg.Metrics == nil {
		return nil
	}
	return []report.Sink{d.cfg.Metrics.Sink()}
}

// reportDryRun gives the report of a dry run, which usermgmt does not
// report, to the metrics.
func (d *daemon) reportDryRun(ctx context.Context, rep *report.Report) {
	if d.cfg.Metrics != nil {
		_ = d.cfg.Metrics.Sink().Write(ctx, rep)
	}
}

// pendingKey marks, in a run's context, that it asked for approval.
type pendingKey struct{}

// counted returns the run of the named policy, counted by the metrics
// when it ends without a report.
func (d *daemon) counted(name string, job schedule.Job) schedule.Job {
	m := d.cfg.Metrics
	if m == nil {
		return job
	}
	return func(ctx context.Context) error {
		pending := new(bool)
		ctx = context.WithValue(m.Begin(ctx), pendingKey{}, pending)
		err := job(ctx)
		outcome := metrics.Succeeded
		switch {
		case err == nil && *pending:
			outcome = metrics.Pending
		case err == nil:
		case usermgmt.Refused(err):
			outcome = metrics.Refused
		case errors.Is(err, errStepsFailed):
			outcome = metrics.Failed
		default:
			outcome = metrics.Error
		}
		m.End(ctx, []string{name}, outcome, !d.cfg.Apply)
		return err
	}
}

// errStepsFailed is the error of a run some of whose steps failed.
var errStepsFailed = errors.New("steps failed")

// waitsForApproval notes that the run of ctx asked for approval.
func waitsForApproval(ctx context.Context) {
	if p, ok := ctx.Value(pendingKey{}).(*bool); ok {
		*p = true
	}
}
