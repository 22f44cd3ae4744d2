package history

import "github.com/seatwarden/seatwarden/report/history/store"

// The history's interfaces and records live in package
// report/history/store, which links no database driver; these names are
// the same types.
type (
	// Store is the history of runs and snapshots: see [store.Store].
	Store = store.Store
	// Sink is a report.Sink that saves each run in a Store: see [store.Sink].
	Sink = store.Sink
	// PlanStore keeps plans with their approval state: see [store.PlanStore].
	PlanStore = store.PlanStore
	// PlanRecord is a plan as the history keeps it: see [store.PlanRecord].
	PlanRecord = store.PlanRecord
	// PlanStatus is where a stored plan stands: see [store.PlanStatus].
	PlanStatus = store.PlanStatus
)

// The plan statuses (see [store.PlanStatus]).
const (
	PlanPlanned   = store.PlanPlanned
	PlanPending   = store.PlanPending
	PlanApplying  = store.PlanApplying
	PlanApplied   = store.PlanApplied
	PlanRejected  = store.PlanRejected
	PlanCancelled = store.PlanCancelled
	PlanFailed    = store.PlanFailed
)

// ErrNoPlan is returned for a plan the history does not hold.
var ErrNoPlan = store.ErrNoPlan

// ErrNoRun is returned for a run the history does not hold.
var ErrNoRun = store.ErrNoRun

var (
	_ Store     = (*SQLite)(nil)
	_ PlanStore = (*SQLite)(nil)
)
