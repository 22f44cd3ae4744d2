package schedule

import (
	"log/slog"
	"time"
)

// Option configures a [Runner].
type Option func(*Runner)

// WithLocation sets the zone in which specs without a zone of their own
// ([Parse] with a nil loc) are read, and in which [Runner.Entries] and
// [Result] report times. The default is time.Local; nil keeps it.
func WithLocation(loc *time.Location) Option {
	return func(r *Runner) {
		if loc != nil {
			r.loc = loc
		}
	}
}

// WithJitter delays each scheduled run by a random duration in [0, max),
// so that many jobs due at the same instant (every @daily policy of a
// fleet) do not all call Jira at once. Keep max well below the shortest
// interval: a due time that passes while a run waits is skipped. Catch-up
// and on-demand runs are not delayed. [JobJitter] overrides it per job.
func WithJitter(maxDelay time.Duration) Option {
	return func(r *Runner) { r.jitter = max(maxDelay, 0) }
}

// WithLocker makes the runner take l's lock of a job's name around every
// run, so that runners sharing l (replicas sharing a PostgreSQL) never run
// the same job at once. See [Locker].
func WithLocker(l Locker) Option {
	return func(r *Runner) { r.locker = l }
}

// WithLastRuns gives the runner the history of runs, which it uses for the
// missed-run policy: when the runner starts scheduling a job (at [Runner.Run]
// or at [Runner.Add] while running), if the job's last run is older than
// a due time that has passed, the job runs once at once ([CatchUp]),
// however many due times were missed. A job with no recorded run is not
// caught up. [JobCatchUp](false) turns this off per job. With a [Locker],
// the history also lets a replica skip a due time another has just run
// ([ErrAlreadyRan]).
//
// The runner does not write the history: record runs with [WithOnResult].
func WithLastRuns(h LastRuns) Option {
	return func(r *Runner) { r.lastRuns = h }
}

// WithLogger sets the logger; the default discards. Records carry the
// attributes job, trigger and due.
func WithLogger(l *slog.Logger) Option {
	return func(r *Runner) {
		if l != nil {
			r.logger = l
		}
	}
}

// WithOnResult calls f after every run, and for every run that is skipped
// (Result.Ran false: overlap, lock, already ran). f is called before the
// [Locker]'s lock is released, so a history store written by f is up to
// date for the next replica. It must be safe for concurrent use.
func WithOnResult(f func(Result)) Option {
	return func(r *Runner) { r.onResult = f }
}

// WithGracePeriod lets running jobs go on for d after [Runner.Run]'s ctx
// is done before their ctx is cancelled. The default, 0, cancels them at
// once. Either way Run returns only when every job has returned.
func WithGracePeriod(d time.Duration) Option {
	return func(r *Runner) { r.grace = max(d, 0) }
}

// JobOption configures one job in [Runner.Add].
type JobOption func(*entry)

// Timeout cancels the job's ctx after d in each run (context.Cause is
// context.DeadlineExceeded). 0, the default, means no timeout.
func Timeout(d time.Duration) JobOption {
	return func(e *entry) { e.timeout = max(d, 0) }
}

// JobJitter sets this job's jitter, overriding [WithJitter]; 0 turns it
// off.
func JobJitter(maxDelay time.Duration) JobOption {
	return func(e *entry) { e.jitter = max(maxDelay, 0); e.ownJitter = true }
}

// JobCatchUp turns the missed-run policy of [WithLastRuns] on (the
// default) or off for this job.
func JobCatchUp(on bool) JobOption {
	return func(e *entry) { e.catchUp = on }
}
