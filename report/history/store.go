package history

import (
	"context"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

// Store is the history: runs with their step results, and a summary of
// each day's snapshot, so that runs and user levels can be compared over
// time. [SQLite] is the embedded default; report/history/postgres is the
// store shared by several replicas. A Store is safe for concurrent use.
type Store interface {
	// SaveRun records a run and its results; saving a run again (a
	// resumed run) replaces it.
	SaveRun(ctx context.Context, r *report.Report) error
	// Runs lists the runs that finished in [from, to) on site ("" for
	// every site), newest first.
	Runs(ctx context.Context, site string, from, to time.Time) ([]report.RunSummary, error)
	// Results returns a run's step results in the run's order
	// (Result.Err is not kept; Error is).
	Results(ctx context.Context, runID string) ([]actions.Result, error)
	// SaveSnapshot records a snapshot summary; a later one of the same
	// site and day replaces it.
	SaveSnapshot(ctx context.Context, s report.SnapshotSummary) error
	// Snapshots returns the summaries of site from the day of from to
	// the day of to, both included (days in UTC), oldest first.
	Snapshots(ctx context.Context, site string, from, to time.Time) ([]report.SnapshotSummary, error)
	Close() error
}

// Sink is a report.Sink that saves each run in a Store.
type Sink struct {
	Store Store
}

var _ report.Sink = Sink{}

// Name returns "history".
func (h Sink) Name() string { return "history" }

// Write saves the run.
func (h Sink) Write(ctx context.Context, r *report.Report) error { return h.Store.SaveRun(ctx, r) }
