package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Job is the work a schedule runs. Its ctx is cancelled when the job's
// [Timeout] passes, when a [Runner.RunNow] caller's ctx is done, and when the
// runner shuts down (after its [WithGracePeriod]); context.Cause then
// says why ([ErrStopped] for a shutdown).
type Job func(ctx context.Context) error

// Scheduler runs named jobs on their [Spec]s. [*Runner] is the in-process
// implementation.
type Scheduler interface {
	// Add schedules job under a unique name.
	Add(name string, spec Spec, job Job, opts ...JobOption) error
	// Remove unschedules a job; a run in progress finishes.
	Remove(name string) error
	// RunNow runs a job at once, unless it is already running, and
	// returns its error.
	RunNow(ctx context.Context, name string) error
	// Entries lists the jobs with their next and previous run times.
	Entries() []Entry
	// Run runs the jobs on their schedules until ctx is done, then waits
	// for the running ones.
	Run(ctx context.Context) error
}

var _ Scheduler = (*Runner)(nil)

// Entry describes one scheduled job, as [Runner.Entries] reports it.
type Entry struct {
	// Name is the job's name.
	Name string
	// Spec is the job's schedule.
	Spec Spec
	// Next is the next due time, in the runner's zone; the run starts up
	// to the jitter later. Zero if the schedule never fires again.
	Next time.Time
	// Prev is when the last run started in this process; zero if none.
	Prev time.Time
	// Running says whether the job runs now.
	Running bool
}

// Trigger says why a job ran.
type Trigger int

// The triggers.
const (
	// Scheduled is a run at a due time of the job's Spec.
	Scheduled Trigger = iota
	// OnDemand is a run asked for with [Runner.RunNow].
	OnDemand
	// CatchUp is the one run made when the runner starts and [LastRuns]
	// shows that a due time passed while nothing ran the job.
	CatchUp
)

// String returns "scheduled", "on-demand" or "catch-up".
func (t Trigger) String() string {
	switch t {
	case Scheduled:
		return "scheduled"
	case OnDemand:
		return "on-demand"
	case CatchUp:
		return "catch-up"
	}
	return fmt.Sprintf("Trigger(%d)", int(t))
}

// Result is one run, or one run that was skipped, as [WithOnResult]
// receives it.
type Result struct {
	// Name is the job's name.
	Name string
	// Trigger says why it ran.
	Trigger Trigger
	// Due is the due time the run is for: the Spec's time for a scheduled
	// run (the run starts up to the jitter later), the first missed due
	// time for a catch-up, the request time for an on-demand run.
	Due time.Time
	// Start and End bound the job's call; both are the time of the
	// decision when the run was skipped.
	Start, End time.Time
	// Ran says whether the job was called. When false, Err says why not:
	// [ErrRunning], [ErrLocked], [ErrAlreadyRan] or a [Locker] failure.
	Ran bool
	// Err is the job's error (a *[PanicError] if it panicked), or why it
	// did not run.
	Err error
}

// Errors the runner returns, or reports in [Result].Err; test with
// errors.Is.
var (
	// ErrRunning: the job is already running in this runner, so a run
	// (scheduled or on demand) is refused rather than overlap.
	ErrRunning = errors.New("schedule: job already running")
	// ErrLocked: the [Locker] says another runner (another replica) holds
	// the job.
	ErrLocked = errors.New("schedule: job locked by another runner")
	// ErrAlreadyRan: [LastRuns] shows a run started at or after the due
	// time — another replica ran it.
	ErrAlreadyRan = errors.New("schedule: job already ran for this due time")
	// ErrNotFound: no job has that name.
	ErrNotFound = errors.New("schedule: no such job")
	// ErrDuplicate: a job of that name exists.
	ErrDuplicate = errors.New("schedule: job name already used")
	// ErrStopped: the runner is shutting down or has stopped; also the
	// cause of a job's cancelled ctx at shutdown.
	ErrStopped = errors.New("schedule: runner stopped")
)

// PanicError is a job that panicked; the runner recovers and carries on.
type PanicError struct {
	// Value is what the job panicked with.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

// Error returns "schedule: job panicked: " and the value.
func (e *PanicError) Error() string { return fmt.Sprintf("schedule: job panicked: %v", e.Value) }

// Unwrap returns the value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
