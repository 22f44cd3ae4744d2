// Package schedule runs named jobs on cron schedules: in a chosen time
// zone, on demand, never overlapping themselves, with optional jitter, a
// missed-run policy, locks shared between replicas and a graceful
// shutdown. It imports nothing of this module; a job is any
// func(ctx) error, such as a usermgmt policy run.
//
//	spec, err := schedule.Parse("0 6 * * MON-FRI", nil) // in the runner's zone
//	r := schedule.New(
//		schedule.WithLocation(berlin),
//		schedule.WithLogger(logger),
//		schedule.WithLastRuns(history),   // catch up a run missed while down
//		schedule.WithOnResult(record),    // write history
//		schedule.WithLocker(pgLocker),    // replicas never run a policy twice
//		schedule.WithGracePeriod(5*time.Minute))
//	err = r.Add("deactivate-inactive", spec, policyJob)
//	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
//	defer stop()
//	err = r.Run(ctx) // until SIGTERM, then waits for running jobs
//
// # Schedules
//
// A [Spec] gives the next activation after a time. [Parse] reads cron
// expressions with robfig/cron/v3's standard parser: five fields (minute,
// hour, day of month, month, day of week) or a descriptor (@daily,
// @hourly, @every 90m, …), in a zone given by the caller, the expression
// (CRON_TZ=Europe/Berlin …) or the runner ([WithLocation]). A wrong
// expression is a *[ParseError] naming the field. An @every interval is a
// whole number of seconds, at least 1s: @every 0s, a negative interval and
// @every 1500ms are refused, not run every second or truncated. Parse is
// the module's one cron parser: usermgmt reads policy files'
// when.schedule with it, so a file accepts exactly what a Runner runs.
//
// Daylight saving time: on the night clocks go forward, a time in the
// skipped hour does not happen (a job at 02:30 in Europe/Berlin does not
// run that night); on the night clocks go back, a time in the repeated
// hour happens twice (it runs twice, an hour apart). @every counts real
// time, on a grid of multiples of its interval from a fixed instant, the
// same in every process: "@every 1h" runs at each whole hour UTC, on any
// number of replicas. Schedule daily jobs outside 02:00–03:00 local time, or in UTC.
//
// # Runs
//
// [Runner] is the in-process [Scheduler]. Each job's due times come from
// its Spec; [WithJitter] delays each scheduled run by a random amount.
// A job never overlaps itself: a due time that comes while the job still
// runs is skipped and reported ([ErrRunning]), and [Runner.RunNow], which
// runs a job on demand and returns its error, is refused the same way.
// [Runner.Entries] shows the next and previous run of each job. A panic in
// a job is recovered as a *[PanicError]; the runner carries on. Every run,
// and every skipped one, reaches [WithOnResult] as a [Result].
//
// # Missed runs
//
// With [WithLastRuns] — the history store — a job whose last recorded run
// is older than a due time that has passed (the service was down at the
// time) runs once as soon as the runner starts, however many due times
// were missed ([CatchUp]). A job with no recorded run is not caught up.
//
// # Several replicas
//
// Replicas of a service share a [Locker] ([WithLocker]); the runner holds
// the job's lock for each run, so only one replica runs a given job at a
// time, and the others skip it ([ErrLocked]). With a shared history as
// well, a replica that gets the lock just after another has run the job
// skips the due time ([ErrAlreadyRan]). [MemoryLocker] serves runners in
// one process; package schedule/pglock serves replicas on one PostgreSQL
// database (advisory locks).
//
// # Shutdown
//
// [Runner.Run] returns when its ctx is done and every running job has
// returned: it starts no new run, lets running jobs go on for the grace
// period ([WithGracePeriod], none by default), then cancels their ctx with
// cause [ErrStopped] and waits for them. A Runner runs once.
//
// # Testing
//
// The runner reads time through the time package only, so tests run it
// inside testing/synctest's fake clock: days of schedule pass in
// microseconds, and synctest reports a job left running.
package schedule
