package report

import (
	"context"
	"log/slog"

	"github.com/seatwarden/seatwarden/actions"
)

// Slog is the slog sink: one record per step result — at Warn for
// failed, stale and refused steps, at Debug for the others — and one
// record for the run at Info (Warn when a step failed), each with the
// run_id, dry_run, user, action and outcome attributes.
type Slog struct {
	Logger *slog.Logger
}

// NewSlog returns a slog sink writing to logger.
func NewSlog(logger *slog.Logger) *Slog { return &Slog{Logger: logger} }

// Name returns "slog".
func (s *Slog) Name() string { return "slog" }

// Write logs the run.
func (s *Slog) Write(ctx context.Context, r *Report) error {
	l := s.Logger
	if l == nil {
		return nil
	}
	run := []slog.Attr{slog.String("run_id", r.RunID), slog.Bool("dry_run", r.DryRun)}
	for _, res := range r.Results {
		level := slog.LevelDebug
		switch res.Outcome {
		case actions.Failed, actions.Stale, actions.Refused:
			level = slog.LevelWarn
		}
		if !l.Enabled(ctx, level) {
			continue
		}
		attrs := append(run[:len(run):len(run)],
			slog.String("user", res.User.ID()), slog.String("action", res.Step.String()),
			slog.String("outcome", string(res.Outcome)))
		if res.Message != "" {
			attrs = append(attrs, slog.String("message", res.Message))
		}
		if res.Error != "" {
			attrs = append(attrs, slog.String("error", res.Error))
		}
		l.LogAttrs(ctx, level, "report step", attrs...)
	}
	level := slog.LevelInfo
	if r.Counts[actions.Failed] > 0 {
		level = slog.LevelWarn
	}
	counts := make([]slog.Attr, 0, len(r.Counts))
	for _, o := range r.Outcomes() {
		counts = append(counts, slog.Int(string(o), r.Counts[o]))
	}
	attrs := append(run,
		slog.String("plan_id", r.PlanID), slog.Any("policies", r.Policies), slog.String("site", r.Site),
		slog.Int("steps", len(r.Results)), slog.Attr{Key: "counts", Value: slog.GroupValue(counts...)})
	if o := r.LimitOverride; o != nil {
		attrs = append(attrs, slog.Group("limit_override", slog.String("limit", o.Limit), slog.String("reason", o.Reason)))
	}
	l.LogAttrs(ctx, level, "report run", attrs...)
	return nil
}
