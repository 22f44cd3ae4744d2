package schedule_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/schedule"
)

// results collects what the runner reports.
type results struct {
	mu  sync.Mutex
	all []schedule.Result
}

func (r *results) add(res schedule.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, res)
}

func (r *results) get() []schedule.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]schedule.Result(nil), r.all...)
}

func (r *results) ran() []schedule.Result {
	var out []schedule.Result
	for _, res := range r.get() {
		if res.Ran {
			out = append(out, res)
		}
	}
	return out
}

func (r *results) skipped(err error) []schedule.Result {
	var out []schedule.Result
	for _, res := range r.get() {
		if !res.Ran && errors.Is(res.Err, err) {
			out = append(out, res)
		}
	}
	return out
}

// stamps records when a job was called.
type stamps struct {
	mu    sync.Mutex
	times []time.Time
}

func (s *stamps) job(d time.Duration) schedule.Job {
	return func(ctx context.Context) error {
		s.mu.Lock()
		s.times = append(s.times, time.Now())
		s.mu.Unlock()
		time.Sleep(d)
		return nil
	}
}

func (s *stamps) formatted(loc *time.Location) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, t := range s.times {
		out = append(out, t.In(loc).Format("2006-01-02 15:04:05 MST"))
	}
	return out
}

// start runs r until the returned stop is called; stop waits for Run to
// return and hands back its error.
func start(t *testing.T, r *schedule.Runner) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	synctest.Wait()
	return func() error {
		cancel()
		return <-done
	}
}

func TestRunnerFiresInZone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := berlin(t)
		var s stamps
		r := schedule.New(schedule.WithLocation(b))
		require.NoError(t, r.Add("weekday-mornings", mustParse(t, "0 9 * * MON-FRI", nil), s.job(time.Minute)))
		stop := start(t, r)
		time.Sleep(7 * 24 * time.Hour) // from Saturday 2000-01-01 01:00 CET
		require.NoError(t, stop())
		assert.Equal(t, []string{
			"2000-01-03 09:00:00 CET", "2000-01-04 09:00:00 CET", "2000-01-05 09:00:00 CET",
			"2000-01-06 09:00:00 CET", "2000-01-07 09:00:00 CET",
		}, s.formatted(b))
	})
}

func TestRunnerDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from time.Time
		want []string
	}{
		{"spring forward skips the day's run", time.Date(2026, time.March, 28, 0, 0, 0, 0, time.UTC), []string{
			"2026-03-28 02:30:00 CET", "2026-03-30 02:30:00 CEST", "2026-03-31 02:30:00 CEST",
		}},
		{"fall back runs twice", time.Date(2026, time.October, 24, 0, 0, 0, 0, time.UTC), []string{
			"2026-10-24 02:30:00 CEST", "2026-10-25 02:30:00 CEST", "2026-10-25 02:30:00 CET", "2026-10-26 02:30:00 CET", "2026-10-27 02:30:00 CET",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				b := berlin(t)
				time.Sleep(time.Until(tt.from))
				var s stamps
				r := schedule.New(schedule.WithLocation(b))
				require.NoError(t, r.Add("night", mustParse(t, "30 2 * * *", b), s.job(time.Minute)))
				stop := start(t, r)
				time.Sleep(3*24*time.Hour + 12*time.Hour)
				require.NoError(t, stop())
				assert.Equal(t, tt.want, s.formatted(b))
			})
		})
	}
}

func TestRunnerEvery(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var s stamps
		r := schedule.New(schedule.WithLocation(time.UTC))
		time.Sleep(90 * time.Second)
		require.NoError(t, r.Add("hourly", mustParse(t, "@every 1h", nil), s.job(time.Second)))
		stop := start(t, r)
		time.Sleep(3*time.Hour + time.Minute)
		require.NoError(t, stop())
		// On the grid of whole hours, not an hour after the job was added:
		// every replica of a daemon has the same due times.
		assert.Equal(t, []string{
			"2000-01-01 01:00:00 UTC", "2000-01-01 02:00:00 UTC", "2000-01-01 03:00:00 UTC",
		}, s.formatted(time.UTC))
	})
}

func TestRunnerJitter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var got results
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithJitter(10*time.Minute), schedule.WithOnResult(got.add))
		noop := func(context.Context) error { return nil }
		require.NoError(t, r.Add("jittered", mustParse(t, "@hourly", nil), noop))
		require.NoError(t, r.Add("exact", mustParse(t, "@hourly", nil), noop, schedule.JobJitter(0)))
		stop := start(t, r)
		time.Sleep(50*time.Hour + 30*time.Minute)
		require.NoError(t, stop())

		var delays []time.Duration
		for _, res := range got.ran() {
			d := res.Start.Sub(res.Due)
			assert.Zero(t, res.Due.Minute(), "due on the hour")
			switch res.Name {
			case "exact":
				assert.Zero(t, d)
			case "jittered":
				assert.GreaterOrEqual(t, d, time.Duration(0))
				assert.Less(t, d, 10*time.Minute)
				delays = append(delays, d)
			}
		}
		require.Len(t, delays, 50)
		assert.Greater(t, len(distinct(delays)), 10, "the delays vary")
	})
}

func distinct[T comparable](xs []T) map[T]bool {
	m := make(map[T]bool)
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func TestRunnerNoOverlap(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var got results
		var s stamps
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithOnResult(got.add))
		require.NoError(t, r.Add("slow", mustParse(t, "@every 1m", nil), s.job(150*time.Second)))
		stop := start(t, r)
		time.Sleep(5*time.Minute + 30*time.Second)
		require.NoError(t, stop())

		// Due at 1m (runs to 3m30s), 2m and 3m skipped, 4m runs (to 6m30s), 5m skipped.
		assert.Equal(t, []string{"2000-01-01 00:01:00 UTC", "2000-01-01 00:04:00 UTC"}, s.formatted(time.UTC))
		var skippedAt []string
		for _, res := range got.skipped(schedule.ErrRunning) {
			assert.Equal(t, schedule.Scheduled, res.Trigger)
			skippedAt = append(skippedAt, res.Due.Format("15:04"))
		}
		assert.Equal(t, []string{"00:02", "00:03", "00:05"}, skippedAt)
	})
}

func TestRunnerRunNow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var got results
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithOnResult(got.add))
		release := make(chan struct{})
		boom := errors.New("boom")
		require.NoError(t, r.Add("manual", mustParse(t, "@yearly", nil), func(ctx context.Context) error {
			<-release
			return boom
		}))

		// Before Run, on demand works.
		first := make(chan error, 1)
		go func() { first <- r.RunNow(t.Context(), "manual") }()
		synctest.Wait()
		entries := r.Entries()
		require.Len(t, entries, 1)
		assert.True(t, entries[0].Running)
		assert.ErrorIs(t, r.RunNow(t.Context(), "manual"), schedule.ErrRunning, "no overlap")
		close(release)
		assert.ErrorIs(t, <-first, boom, "RunNow returns the job's error")
		assert.False(t, r.Entries()[0].Running)
		assert.ErrorIs(t, r.RunNow(t.Context(), "nope"), schedule.ErrNotFound)

		res := got.get()
		require.Len(t, res, 1, "the refused call is the caller's error, not a result")
		assert.Equal(t, schedule.OnDemand, res[0].Trigger)
		assert.True(t, res[0].Ran)

		// The caller's ctx reaches the job.
		require.NoError(t, r.Add("ctx", mustParse(t, "@yearly", nil), func(ctx context.Context) error { return ctx.Err() }))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		assert.ErrorIs(t, r.RunNow(ctx, "ctx"), context.Canceled)
	})
}

func TestRunnerRunNowBlocksScheduled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var got results
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithOnResult(got.add))
		var s stamps
		require.NoError(t, r.Add("p", mustParse(t, "@hourly", nil), s.job(2*time.Hour)))
		stop := start(t, r)
		time.Sleep(30 * time.Minute)
		go func() { assert.NoError(t, r.RunNow(t.Context(), "p")) }()
		time.Sleep(2 * time.Hour)
		require.NoError(t, stop())
		// 00:30 on demand to 02:30; 01:00 and 02:00 skipped; 03:00 would be
		// next.
		assert.Equal(t, []string{"2000-01-01 00:30:00 UTC"}, s.formatted(time.UTC))
		assert.Len(t, got.skipped(schedule.ErrRunning), 2)
	})
}

// history is an in-memory history store: LastRuns, written by OnResult.
type history struct {
	mu   sync.Mutex
	last map[string]time.Time
	err  error
}

func (h *history) LastRun(_ context.Context, name string) (time.Time, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, ok := h.last[name]
	return t, ok, h.err
}

func (h *history) record(res schedule.Result) {
	if !res.Ran {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == nil {
		h.last = make(map[string]time.Time)
	}
	h.last[res.Name] = res.Start
}

func TestRunnerMissedRun(t *testing.T) {
	t.Parallel()
	// The runner starts at 2000-01-01 00:00 UTC; the job is due daily at 03:00.
	day := func(d, h int) time.Time { return time.Date(1999, time.December, d, h, 0, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		last    time.Time // zero: no history
		err     error
		opts    []schedule.JobOption
		catchUp bool
		due     time.Time
	}{
		{"one run missed", day(30, 3), nil, nil, true, day(31, 3)},
		{"several runs missed: once", day(1, 3), nil, nil, true, day(2, 3)},
		{"up to date", day(31, 3), nil, nil, false, time.Time{}},
		{"ran late yesterday", day(31, 23), nil, nil, false, time.Time{}},
		{"no history", time.Time{}, nil, nil, false, time.Time{}},
		{"history unreadable", day(1, 3), errors.New("db down"), nil, false, time.Time{}},
		{"turned off", day(1, 3), nil, []schedule.JobOption{schedule.JobCatchUp(false)}, false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				h := &history{err: tt.err}
				if !tt.last.IsZero() {
					h.last = map[string]time.Time{"nightly": tt.last}
				}
				var got results
				r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithLastRuns(h),
					schedule.WithOnResult(func(res schedule.Result) { h.record(res); got.add(res) }))
				var s stamps
				require.NoError(t, r.Add("nightly", mustParse(t, "0 3 * * *", nil), s.job(time.Minute), tt.opts...))
				stop := start(t, r)
				time.Sleep(4 * time.Hour)
				require.NoError(t, stop())

				want := []string{"2000-01-01 03:00:00 UTC"}
				if tt.catchUp {
					want = append([]string{"2000-01-01 00:00:00 UTC"}, want...)
					res := got.ran()[0]
					assert.Equal(t, schedule.CatchUp, res.Trigger)
					assert.True(t, res.Due.Equal(tt.due), "due %v, want %v", res.Due, tt.due)
				}
				assert.Equal(t, want, s.formatted(time.UTC))
			})
		})
	}
}

func TestRunnerCatchUpOnAdd(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := &history{last: map[string]time.Time{"late": time.Now().Add(-2 * time.Hour)}}
		var got results
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithLastRuns(h), schedule.WithOnResult(got.add))
		stop := start(t, r)
		time.Sleep(time.Minute)
		require.NoError(t, r.Add("late", mustParse(t, "@hourly", nil), func(context.Context) error { return nil }))
		synctest.Wait()
		require.Len(t, got.ran(), 1)
		assert.Equal(t, schedule.CatchUp, got.ran()[0].Trigger)
		require.NoError(t, stop())
	})
}

func TestRunnerLocker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		jobLen time.Duration
		shared bool // a shared history (LastRuns) as well as the lock
	}{
		{"slow job, lock only", 20 * time.Second, false},
		{"instant job, lock and shared history", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				locker := schedule.NewMemoryLocker()
				h := &history{}
				var got results
				perDue := make(map[time.Time]int)
				newReplica := func() *schedule.Runner {
					opts := []schedule.Option{schedule.WithLocation(time.UTC), schedule.WithLocker(locker),
						schedule.WithOnResult(func(res schedule.Result) { h.record(res); got.add(res) })}
					if tt.shared {
						opts = append(opts, schedule.WithLastRuns(h), schedule.WithJitter(5*time.Second))
					}
					r := schedule.New(opts...)
					require.NoError(t, r.Add("policy", mustParse(t, "@every 1m", nil), func(ctx context.Context) error {
						time.Sleep(tt.jobLen)
						return nil
					}, schedule.JobCatchUp(false)))
					return r
				}
				stopA, stopB := start(t, newReplica()), start(t, newReplica())
				time.Sleep(10*time.Minute + 30*time.Second)
				require.NoError(t, stopA())
				require.NoError(t, stopB())

				for _, res := range got.ran() {
					perDue[res.Due]++
				}
				assert.Len(t, perDue, 10, "every due time ran")
				for due, n := range perDue {
					assert.Equal(t, 1, n, "due %v ran %d times", due, n)
				}
				locked, done := got.skipped(schedule.ErrLocked), got.skipped(schedule.ErrAlreadyRan)
				assert.Len(t, append(locked, done...), 10, "the other replica skipped each due time")
				if !tt.shared {
					assert.Len(t, locked, 10)
				}
			})
		})
	}
}

func TestMemoryLocker(t *testing.T) {
	t.Parallel()
	var l schedule.MemoryLocker // the zero value works
	rel, ok, err := l.TryLock(t.Context(), "a")
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = l.TryLock(t.Context(), "a")
	require.NoError(t, err)
	assert.False(t, ok, "held")
	relB, ok, _ := l.TryLock(t.Context(), "b")
	assert.True(t, ok, "names are independent")
	relB()
	rel()
	rel() // twice is harmless
	rel2, ok, _ := l.TryLock(t.Context(), "a")
	assert.True(t, ok, "released")
	rel2()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, ok, err = l.TryLock(ctx, "c")
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, ok)
}

func TestRunnerLockerFailure(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		down := errors.New("connection refused")
		var got results
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithOnResult(got.add),
			schedule.WithLocker(lockerFunc(func(context.Context, string) (func(), bool, error) { return nil, false, down })))
		var called atomic.Int32
		require.NoError(t, r.Add("p", mustParse(t, "@hourly", nil), func(context.Context) error { called.Add(1); return nil }))
		assert.ErrorIs(t, r.RunNow(t.Context(), "p"), down)
		stop := start(t, r)
		time.Sleep(90 * time.Minute)
		require.NoError(t, stop())
		assert.Zero(t, called.Load())
		require.Len(t, got.get(), 2)
		assert.ErrorIs(t, got.get()[1].Err, down)
		assert.False(t, got.get()[1].Ran)
	})
}

type lockerFunc func(ctx context.Context, name string) (func(), bool, error)

func (f lockerFunc) TryLock(ctx context.Context, name string) (func(), bool, error) {
	return f(ctx, name)
}

func TestRunnerShutdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		grace      time.Duration
		work       time.Duration // how long the job works, ignoring ctx
		wantCancel bool
		wantStop   time.Duration // how long Run takes to return after the cancel
	}{
		{"cancels at once and waits for the job to return", 0, time.Hour, true, 0},
		{"job done within the grace period", 10 * time.Minute, 5 * time.Minute, false, 4 * time.Minute},
		{"grace period over: cancels", 2 * time.Minute, time.Hour, true, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var cause atomic.Value
				var finished atomic.Bool
				r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithGracePeriod(tt.grace))
				require.NoError(t, r.Add("apply", mustParse(t, "@every 1m", nil), func(ctx context.Context) error {
					select {
					case <-ctx.Done():
						cause.Store(context.Cause(ctx))
						time.Sleep(30 * time.Second) // cleaning up
					case <-time.After(tt.work):
					}
					finished.Store(true)
					return ctx.Err()
				}))
				stop := start(t, r)
				time.Sleep(2 * time.Minute) // the run started at 1m
				began := time.Now()
				require.NoError(t, stop())
				assert.True(t, finished.Load(), "Run waited for the job")
				if tt.wantCancel {
					assert.ErrorIs(t, cause.Load().(error), schedule.ErrStopped)
					assert.Equal(t, tt.wantStop+30*time.Second, time.Since(began))
				} else {
					assert.Nil(t, cause.Load())
					assert.Equal(t, tt.wantStop, time.Since(began))
				}
				// Stopped for good.
				assert.ErrorIs(t, r.RunNow(t.Context(), "apply"), schedule.ErrStopped)
				assert.ErrorIs(t, r.Add("more", mustParse(t, "@daily", nil), func(context.Context) error { return nil }), schedule.ErrStopped)
				assert.Error(t, r.Run(t.Context()), "a Runner runs once")
			})
		})
	}
}

func TestRunnerPanic(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var got results
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithOnResult(got.add))
		var n atomic.Int32
		require.NoError(t, r.Add("fragile", mustParse(t, "@hourly", nil), func(context.Context) error {
			if n.Add(1) == 1 {
				panic("nil map")
			}
			return nil
		}))
		stop := start(t, r)
		time.Sleep(2*time.Hour + time.Minute)
		require.NoError(t, stop())
		res := got.ran()
		require.Len(t, res, 2, "the runner went on after the panic")
		var pe *schedule.PanicError
		require.ErrorAs(t, res[0].Err, &pe)
		assert.Equal(t, "nil map", pe.Value)
		assert.Contains(t, string(pe.Stack), "runner_test.go")
		assert.NoError(t, res[1].Err)

		// RunNow reports a panic as its error; an error value is unwrapped.
		r2 := schedule.New()
		boom := errors.New("boom")
		require.NoError(t, r2.Add("p", mustParse(t, "@hourly", nil), func(context.Context) error { panic(boom) }))
		err := r2.RunNow(t.Context(), "p")
		require.ErrorAs(t, err, &pe)
		assert.ErrorIs(t, err, boom)
	})
}

func TestRunnerEntries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := berlin(t)
		r := schedule.New(schedule.WithLocation(b))
		release := make(chan struct{})
		require.NoError(t, r.Add("b-daily", mustParse(t, "0 6 * * *", nil), func(context.Context) error { <-release; return nil }))
		require.NoError(t, r.Add("a-hourly", mustParse(t, "@hourly", nil), func(context.Context) error { return nil }))
		assert.ErrorIs(t, r.Add("a-hourly", mustParse(t, "@daily", nil), func(context.Context) error { return nil }), schedule.ErrDuplicate)
		assert.Error(t, r.Add("", mustParse(t, "@daily", nil), func(context.Context) error { return nil }))
		assert.Error(t, r.Add("x", nil, func(context.Context) error { return nil }))
		assert.Error(t, r.Add("x", mustParse(t, "@daily", nil), nil))

		format := func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("01-02 15:04 MST")
		}
		type row struct{ name, next, prev string }
		rows := func() []row {
			var out []row
			for _, e := range r.Entries() {
				out = append(out, row{e.Name, format(e.Next), format(e.Prev)})
			}
			return out
		}
		// Before Run (2000-01-01 01:00 CET), next times are computed.
		assert.Equal(t, []row{{"a-hourly", "01-01 02:00 CET", ""}, {"b-daily", "01-01 06:00 CET", ""}}, rows())

		stop := start(t, r)
		time.Sleep(5*time.Hour + 30*time.Minute) // 06:30, b-daily running since 06:00
		assert.Equal(t, []row{{"a-hourly", "01-01 07:00 CET", "01-01 06:00 CET"}, {"b-daily", "01-02 06:00 CET", "01-01 06:00 CET"}}, rows())
		e := r.Entries()
		assert.False(t, e[0].Running)
		assert.True(t, e[1].Running)
		assert.Equal(t, "0 6 * * *", e[1].Spec.(interface{ String() string }).String())

		require.NoError(t, r.Remove("a-hourly"))
		assert.ErrorIs(t, r.Remove("a-hourly"), schedule.ErrNotFound)
		close(release)
		time.Sleep(3 * time.Hour)
		assert.Len(t, r.Entries(), 1)
		assert.Equal(t, "01-01 06:00 CET", format(r.Entries()[0].Prev), "a-hourly no longer ran, b-daily not again")
		require.NoError(t, stop())
	})
}

func TestRunnerRemoveWhileRunning(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var got results
		r := schedule.New(schedule.WithLocation(time.UTC), schedule.WithOnResult(got.add))
		var s stamps
		require.NoError(t, r.Add("p", mustParse(t, "@every 1m", nil), s.job(5*time.Minute+15*time.Second)))
		stop := start(t, r)
		time.Sleep(90 * time.Second) // running since 1m
		require.NoError(t, r.Remove("p"))
		require.NoError(t, r.Add("p", mustParse(t, "@every 1m", nil), s.job(time.Second)))
		time.Sleep(3*time.Minute + 10*time.Second) // due at 2m, 3m, 4m: the old run goes on until 6m15s
		assert.Len(t, s.formatted(time.UTC), 1, "a name never overlaps itself, even re-added")
		assert.Len(t, got.skipped(schedule.ErrRunning), 3)
		time.Sleep(3 * time.Minute) // 5m and 6m skipped too; 7m runs
		assert.Equal(t, []string{"2000-01-01 00:01:00 UTC", "2000-01-01 00:07:00 UTC"}, s.formatted(time.UTC))
		require.NoError(t, stop())
	})
}

func TestRunnerTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := schedule.New()
		require.NoError(t, r.Add("p", mustParse(t, "@hourly", nil), func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}, schedule.Timeout(time.Minute)))
		began := time.Now()
		assert.ErrorIs(t, r.RunNow(t.Context(), "p"), context.DeadlineExceeded)
		assert.Equal(t, time.Minute, time.Since(began))
	})
}

func TestTriggerString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "scheduled", schedule.Scheduled.String())
	assert.Equal(t, "on-demand", schedule.OnDemand.String())
	assert.Equal(t, "catch-up", schedule.CatchUp.String())
	assert.Equal(t, "Trigger(7)", schedule.Trigger(7).String())
}
