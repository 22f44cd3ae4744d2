package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

// Store is the history: runs with their step results, and a summary of
// each day's snapshot, so that runs and user levels can be compared over
// time. history.SQLite is the embedded default; report/history/postgres is the
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

// PlanStatus is where a stored plan stands.
type PlanStatus string

// The plan statuses.
const (
	PlanPlanned   PlanStatus = "planned"   // a dry run, not applied
	PlanPending   PlanStatus = "pending"   // waits for its approval issue
	PlanApplying  PlanStatus = "applying"  // being applied
	PlanApplied   PlanStatus = "applied"   // applied; RunID says by which run
	PlanRejected  PlanStatus = "rejected"  // its approval issue was rejected
	PlanCancelled PlanStatus = "cancelled" // dropped by a person
	PlanFailed    PlanStatus = "failed"    // applying it failed or was refused
)

// ErrNoPlan is returned for a plan the history does not hold.
var ErrNoPlan = errors.New("history: no such plan")

// ErrNoRun is returned for a run the history does not hold.
var ErrNoRun = errors.New("history: no such run")

// PlanStore keeps plans with their approval state, and the keys of the
// events (webhook deliveries) already handled, so that both survive a
// restart and several callers — a webhook, a polling loop, an API route —
// claim a plan exactly once ([PlanStore.UpdatePlan] is a compare-and-set).
// history.SQLite is one; report/history/postgres, shared by replicas, another.
// The HTTP service (examples/server) is its user for now: the approval
// component of usermgmt will own it.
type PlanStore interface {
	// SavePlan records a plan, replacing the record of the same id.
	SavePlan(ctx context.Context, p PlanRecord) error
	// Plan returns the plan with the given id, or an error matching
	// ErrNoPlan.
	Plan(ctx context.Context, id string) (PlanRecord, error)
	// PlanByIssue returns the newest plan whose approval issue is key
	// (compared ignoring case), or an error matching ErrNoPlan.
	PlanByIssue(ctx context.Context, key string) (PlanRecord, error)
	// Plans lists the plans with any of the statuses (every plan when
	// none is given), oldest first.
	Plans(ctx context.Context, statuses ...PlanStatus) ([]PlanRecord, error)
	// UpdatePlan moves a plan to status to, with its run id and error,
	// only if its status is one of from, and reports whether it moved.
	UpdatePlan(ctx context.Context, id string, from []PlanStatus, to PlanStatus, runID, errMsg string, now time.Time) (bool, error)
	// FirstEvent records the key of an event and reports whether it is
	// the first time the key is seen.
	FirstEvent(ctx context.Context, key string, now time.Time) (bool, error)
}

// PlanRecord is a plan as the history keeps it, with its approval state.
type PlanRecord struct {
	ID       string
	Plan     json.RawMessage // the actions.Plan
	Policies []string
	Status   PlanStatus
	IssueKey string
	Source   string
	RunID    string
	Error    string
	Created  time.Time
	Updated  time.Time
}

// LoginStore keeps the state of the on-login trigger (usermgmt's
// LoginTrigger) per policy and site, so that a restarted program, or
// another replica on the same store, neither misses nor repeats a login:
// when the logins were last checked, each user's last login as that
// check saw it, and the users whose login is detected but not yet acted
// on. A LoginStore is safe for concurrent use.
type LoginStore interface {
	// Logins returns the state of policy on site; the zero state (zero
	// Checked) when it was never checked.
	Logins(ctx context.Context, policy, site string) (LoginState, error)
	// SaveLogins records a check in one transaction, provided the stored
	// check is still prev (the Checked that Logins returned; zero for the
	// first): it sets Checked, writes the users' last logins in Last
	// (others keep theirs), marks the users in Pending as pending and
	// drops the users in Forget. When
	// another check was recorded since prev it changes nothing and returns
	// [ErrLoginConflict]: that check's caller acts on the logins.
	SaveLogins(ctx context.Context, policy, site string, prev time.Time, u LoginUpdate) error
	// DoneLogins clears the pending mark of the users given, once their
	// logins were acted on.
	DoneLogins(ctx context.Context, policy, site string, users []string) error
}

// LoginState is what a [LoginStore] holds for one policy and site.
type LoginState struct {
	// Checked is the time of the snapshot the last check read; zero when
	// the policy was never checked on the site.
	Checked time.Time
	// Last maps a user's id to the last login the checks saw; the zero
	// time means the user had never logged in. Users whose last login was
	// never known are not in it.
	Last map[string]time.Time
	// Pending lists, sorted, the users whose login was detected but not
	// yet acted on.
	Pending []string
}

// LoginUpdate is a check to record with [LoginStore.SaveLogins].
type LoginUpdate struct {
	// Checked is the time of the snapshot the check read. Stores keep
	// microseconds: pass a time truncated to them so that it reads back
	// equal.
	Checked time.Time
	// Last holds the last logins that changed (or are new) since the
	// previous check, by user id; the zero time means never logged in.
	Last map[string]time.Time
	// Pending lists users whose login is to be acted on; each must be in
	// Last or already in the store.
	Pending []string
	// Forget lists users whose records are dropped: users no longer on
	// the site.
	Forget []string
}

// ErrLoginConflict is returned by [LoginStore.SaveLogins] when another
// check was recorded since the one the caller read.
var ErrLoginConflict = errors.New("history: logins were checked by another caller since")
