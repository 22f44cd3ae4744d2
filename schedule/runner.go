package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// state is where a Runner is in its life.
type state int

const (
	idle     state = iota // New: jobs can be added and run on demand
	running               // Run: jobs run on their schedules
	stopping              // Run's ctx is done: waiting for running jobs
	stopped               // Run has returned
)

// entry is one job.
type entry struct {
	name      string
	spec      Spec
	job       Job
	timeout   time.Duration
	jitter    time.Duration
	ownJitter bool
	catchUp   bool

	// Guarded by Runner.mu.
	stopLoop  context.CancelFunc // non-nil while its loop runs
	next      time.Time          // set by its loop
	scheduled bool               // next is valid
	prev      time.Time
}

// Runner is the in-process [Scheduler]: one goroutine per job waits for
// the job's next due time on a timer, each run goes in a goroutine of its
// own, and a job never overlaps itself.
//
// Methods are safe for concurrent use. A Runner runs once: after
// [Runner.Run] returns, Add and RunNow return [ErrStopped].
type Runner struct {
	loc      *time.Location
	jitter   time.Duration
	grace    time.Duration
	locker   Locker
	lastRuns LastRuns
	logger   *slog.Logger
	onResult func(Result)

	mu      sync.Mutex
	state   state
	entries map[string]*entry
	// active holds the cancel func of each running job, by name.
	active map[string]context.CancelCauseFunc
	// base is Run's ctx without its cancellation: the parent of scheduled
	// runs, which outlive it by the grace period.
	base  context.Context
	loops sync.WaitGroup
	jobs  sync.WaitGroup
}

// New returns a Runner with no jobs; it schedules nothing until
// [Runner.Run].
func New(opts ...Option) *Runner {
	r := &Runner{
		loc:     time.Local,
		logger:  slog.New(slog.DiscardHandler),
		entries: make(map[string]*entry),
		active:  make(map[string]context.CancelCauseFunc),
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Add schedules job under name, which must be unique (else
// [ErrDuplicate]). If the runner is running, the job's schedule starts now
// (with the missed-run check of [WithLastRuns]).
func (r *Runner) Add(name string, spec Spec, job Job, opts ...JobOption) error {
	switch {
	case name == "":
		return errors.New("schedule: a job needs a name")
	case spec == nil:
		return fmt.Errorf("schedule: job %q has no spec", name)
	case job == nil:
		return fmt.Errorf("schedule: job %q is nil", name)
	}
	e := &entry{name: name, spec: spec, job: job, catchUp: true}
	for _, o := range opts {
		o(e)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state >= stopping {
		return ErrStopped
	}
	if _, ok := r.entries[name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicate, name)
	}
	r.entries[name] = e
	if r.state == running {
		r.startLoop(e)
	}
	return nil
}

// Remove unschedules the job; a run in progress goes on to its end (and
// a job added again under the same name does not start before it ends).
func (r *Runner) Remove(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	delete(r.entries, name)
	if e.stopLoop != nil {
		e.stopLoop()
		e.stopLoop = nil
	}
	return nil
}

// Entries lists the jobs by name.
func (r *Runner) Entries() []Entry {
	now := time.Now().In(r.loc)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Entry, 0, len(r.entries))
	for _, e := range r.entries {
		next := e.next
		if !e.scheduled {
			next = e.spec.Next(now)
		}
		_, busy := r.active[e.name]
		out = append(out, Entry{Name: e.name, Spec: e.spec, Next: next, Prev: e.prev, Running: busy})
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// RunNow runs the job now, in the caller's goroutine, and returns its
// error (a *[PanicError] if it panicked). It returns [ErrRunning] if the
// job is running, [ErrLocked] if another runner holds it, [ErrNotFound]
// and [ErrStopped]. It works before [Runner.Run] too. The job's ctx is
// derived from ctx, and cancelled at shutdown as well.
func (r *Runner) RunNow(ctx context.Context, name string) error {
	r.mu.Lock()
	e, ok := r.entries[name]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	jctx, cancel, err := r.begin(ctx, e)
	if err != nil {
		return err
	}
	return r.execute(jctx, cancel, e, OnDemand, time.Now().In(r.loc)).Err
}

// Run schedules the jobs and blocks until ctx is done. It then stops
// scheduling, waits up to the grace period ([WithGracePeriod]) for running
// jobs, cancels their ctx with cause [ErrStopped], and returns once every
// job has returned. It returns nil after a shutdown, an error if called
// twice.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.state != idle {
		r.mu.Unlock()
		return errors.New("schedule: Run called twice")
	}
	r.state = running
	r.base = context.WithoutCancel(ctx)
	for _, e := range r.entries {
		r.startLoop(e)
	}
	n := len(r.entries)
	r.mu.Unlock()
	r.logger.LogAttrs(ctx, slog.LevelInfo, "schedule: started", slog.Int("jobs", n), slog.String("location", r.loc.String()))

	<-ctx.Done()

	r.mu.Lock()
	r.state = stopping
	for _, e := range r.entries {
		if e.stopLoop != nil {
			e.stopLoop()
			e.stopLoop = nil
		}
	}
	r.mu.Unlock()
	r.loops.Wait()
	r.drain()
	r.mu.Lock()
	r.state = stopped
	r.mu.Unlock()
	r.logger.LogAttrs(r.base, slog.LevelInfo, "schedule: stopped")
	return nil
}

// drain waits for running jobs: the grace period, then cancellation.
func (r *Runner) drain() {
	done := make(chan struct{})
	go func() {
		r.jobs.Wait()
		close(done)
	}()
	if r.grace > 0 {
		t := time.NewTimer(r.grace)
		select {
		case <-done:
			t.Stop()
			return
		case <-t.C:
		}
	}
	r.mu.Lock()
	for name, cancel := range r.active {
		r.logger.LogAttrs(r.base, slog.LevelWarn, "schedule: cancelling running job", slog.String("job", name))
		cancel(ErrStopped)
	}
	r.mu.Unlock()
	<-done
}

// startLoop starts e's scheduling goroutine; r.mu is held.
func (r *Runner) startLoop(e *entry) {
	ctx, cancel := context.WithCancel(r.base)
	e.stopLoop = cancel
	r.loops.Add(1)
	go r.loop(ctx, e)
}

// loop waits for e's due times and fires them until ctx is done.
func (r *Runner) loop(ctx context.Context, e *entry) {
	defer r.loops.Done()
	defer func() {
		r.mu.Lock()
		e.scheduled = false
		r.mu.Unlock()
	}()
	now := time.Now().In(r.loc)
	if r.lastRuns != nil && e.catchUp {
		if due, ok := r.missed(ctx, e, now); ok {
			r.fire(e, CatchUp, due)
		}
	}
	due := e.spec.Next(now)
	for {
		r.mu.Lock()
		e.next, e.scheduled = due, true
		r.mu.Unlock()
		if due.IsZero() {
			r.logger.LogAttrs(ctx, slog.LevelWarn, "schedule: no further due time", slog.String("job", e.name))
			<-ctx.Done()
			return
		}
		t := time.NewTimer(time.Until(due) + r.jitterOf(e))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		r.fire(e, Scheduled, due)
		now := time.Now().In(r.loc)
		next := e.spec.Next(due)
		if !next.IsZero() && next.Before(now) {
			// The timer was late (the machine slept) or the jitter
			// exceeded the interval: skip the due times that passed.
			r.logger.LogAttrs(ctx, slog.LevelWarn, "schedule: behind schedule, skipping due times",
				slog.String("job", e.name), slog.Time("from", next))
			next = e.spec.Next(now)
		}
		due = next
	}
}

// missed reports the first due time after the job's last recorded run, if
// it has passed.
func (r *Runner) missed(ctx context.Context, e *entry, now time.Time) (time.Time, bool) {
	last, ok, err := r.lastRuns.LastRun(ctx, e.name)
	if err != nil {
		r.logger.LogAttrs(ctx, slog.LevelError, "schedule: reading the last run; no catch-up",
			slog.String("job", e.name), slog.Any("err", err))
		return time.Time{}, false
	}
	if !ok {
		return time.Time{}, false
	}
	due := e.spec.Next(last.In(r.loc))
	if due.IsZero() || due.After(now) {
		return time.Time{}, false
	}
	r.logger.LogAttrs(ctx, slog.LevelInfo, "schedule: missed a run while down; catching up",
		slog.String("job", e.name), slog.Time("last_run", last), slog.Time("due", due))
	return due, true
}

func (r *Runner) jitterOf(e *entry) time.Duration {
	j := r.jitter
	if e.ownJitter {
		j = e.jitter
	}
	if j <= 0 {
		return 0
	}
	return rand.N(j)
}

// fire starts a run of e in a goroutine, or reports why it cannot.
func (r *Runner) fire(e *entry, trig Trigger, due time.Time) {
	ctx, cancel, err := r.begin(r.base, e)
	if err != nil {
		if errors.Is(err, ErrRunning) {
			now := time.Now().In(r.loc)
			r.report(r.base, Result{Name: e.name, Trigger: trig, Due: due, Start: now, End: now, Err: err})
		}
		return
	}
	go r.execute(ctx, cancel, e, trig, due)
}

// begin marks e running and returns the ctx of its run, unless it runs
// already, was removed or the runner stops.
func (r *Runner) begin(parent context.Context, e *entry) (context.Context, context.CancelCauseFunc, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.state >= stopping:
		return nil, nil, ErrStopped
	case r.entries[e.name] != e:
		return nil, nil, fmt.Errorf("%w: %q", ErrNotFound, e.name)
	}
	if _, busy := r.active[e.name]; busy {
		return nil, nil, ErrRunning
	}
	ctx, cancel := context.WithCancelCause(parent)
	r.active[e.name] = cancel
	r.jobs.Add(1)
	return ctx, cancel, nil
}

// execute runs e once, begun by begin: lock, history check, the job,
// the report, unlock.
func (r *Runner) execute(ctx context.Context, cancel context.CancelCauseFunc, e *entry, trig Trigger, due time.Time) (res Result) {
	defer r.jobs.Done()
	defer func() {
		r.mu.Lock()
		delete(r.active, e.name)
		r.mu.Unlock()
		cancel(nil)
	}()
	now := time.Now().In(r.loc)
	res = Result{Name: e.name, Trigger: trig, Due: due, Start: now, End: now}
	if r.locker != nil {
		release, ok, err := r.locker.TryLock(ctx, e.name)
		switch {
		case err != nil:
			res.Err = fmt.Errorf("schedule: locking %q: %w", e.name, err)
		case !ok:
			res.Err = ErrLocked
		}
		if res.Err != nil {
			r.report(ctx, res)
			return res
		}
		defer release()
	}
	if r.lastRuns != nil && trig != OnDemand {
		last, ok, err := r.lastRuns.LastRun(ctx, e.name)
		switch {
		case err != nil:
			r.logger.LogAttrs(ctx, slog.LevelWarn, "schedule: reading the last run; running anyway",
				slog.String("job", e.name), slog.Any("err", err))
		case ok && !last.Before(due):
			res.Err = ErrAlreadyRan
			r.report(ctx, res)
			return res
		}
	}
	if e.timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, e.timeout)
		defer stop()
	}
	res.Start = time.Now().In(r.loc)
	r.mu.Lock()
	e.prev = res.Start
	r.mu.Unlock()
	res.Ran = true
	res.Err = call(ctx, e.job)
	res.End = time.Now().In(r.loc)
	r.report(ctx, res)
	return res
}

// call runs job, turning a panic into a *PanicError.
func call(ctx context.Context, job Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return job(ctx)
}

// report logs res and hands it to the OnResult hook.
func (r *Runner) report(ctx context.Context, res Result) {
	attrs := []slog.Attr{
		slog.String("job", res.Name), slog.String("trigger", res.Trigger.String()), slog.Time("due", res.Due),
	}
	switch {
	case !res.Ran:
		r.logger.LogAttrs(ctx, slog.LevelWarn, "schedule: run skipped", append(attrs, slog.Any("err", res.Err))...)
	case res.Err != nil:
		attrs = append(attrs, slog.Duration("duration", res.End.Sub(res.Start)), slog.Any("err", res.Err))
		var p *PanicError
		if errors.As(res.Err, &p) {
			attrs = append(attrs, slog.String("stack", string(p.Stack)))
		}
		r.logger.LogAttrs(ctx, slog.LevelError, "schedule: run failed", attrs...)
	default:
		r.logger.LogAttrs(ctx, slog.LevelInfo, "schedule: run finished", append(attrs, slog.Duration("duration", res.End.Sub(res.Start)))...)
	}
	if r.onResult != nil {
		r.onResult(res)
	}
}
