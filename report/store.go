package report

import (
	"context"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
)

// Store is the history: runs with their step results, and a summary of
// each day's snapshot, so that runs and user levels can be compared over
// time. [SQLite] is the embedded default; a shared PostgreSQL store for
// several replicas can implement the same interface later. A Store is
// safe for concurrent use.
type Store interface {
	// SaveRun records a run and its results; saving a run again (a
	// resumed run) replaces it.
	SaveRun(ctx context.Context, r *Report) error
	// Runs lists the runs that finished in [from, to) on site ("" for
	// every site), newest first.
	Runs(ctx context.Context, site string, from, to time.Time) ([]RunSummary, error)
	// Results returns a run's step results in the run's order
	// (Result.Err is not kept; Error is).
	Results(ctx context.Context, runID string) ([]actions.Result, error)
	// SaveSnapshot records a snapshot summary; a later one of the same
	// site and day replaces it.
	SaveSnapshot(ctx context.Context, s SnapshotSummary) error
	// Snapshots returns the summaries of site from the day of from to
	// the day of to, both included (days in UTC), oldest first.
	Snapshots(ctx context.Context, site string, from, to time.Time) ([]SnapshotSummary, error)
	Close() error
}

// RunSummary is a run as the history lists it.
type RunSummary struct {
	RunID         string
	PlanID        string
	Policies      []string
	Site          string
	Flavor        jira.Flavor
	DryRun        bool
	Started       time.Time
	Finished      time.Time
	Steps         int
	Counts        map[actions.Outcome]int
	ApprovalIssue string
}

// History is a [Sink] that saves each run in a Store.
type History struct {
	Store Store
}

// Name returns "history".
func (h History) Name() string { return "history" }

// Write saves the run.
func (h History) Write(ctx context.Context, r *Report) error { return h.Store.SaveRun(ctx, r) }
