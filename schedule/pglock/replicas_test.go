package pglock_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/pgtest"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/history/postgres"
	"github.com/seatwarden/seatwarden/schedule"
	"github.com/seatwarden/seatwarden/schedule/pglock"
)

// everySecond fires on every whole second of the clock, the same instants
// for every replica (the way a cron line does, every minute).
type everySecond struct{}

func (everySecond) Next(t time.Time) time.Time { return t.Truncate(time.Second).Add(time.Second) }

// TestReplicasRunEachTickOnce runs three schedule.Runners — three
// replicas, each with its own connection pool — on one PostgreSQL
// database, wired as a program would: the history store is the runners'
// LastRuns and the job saves its run in it; the lock is pglock on the
// store's database. For about three seconds every replica fires at every
// whole second, two of them late (jitter up to 200 and 400 ms, as a slow
// timer would be): each due time runs exactly once — a replica that comes
// during the run finds it locked, one that comes after finds it in the
// history — and the history holds exactly the runs that ran.
func TestReplicasRunEachTickOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 3 s of real time against PostgreSQL")
	}
	t.Parallel()
	dsn := pgtest.Schema(t)
	name := fmt.Sprintf("tick-%d", rand.Int())
	ctx, cancel := context.WithTimeout(t.Context(), 3500*time.Millisecond)
	defer cancel()

	var mu sync.Mutex
	var results []schedule.Result
	var wg sync.WaitGroup
	for i := range 3 {
		store, err := postgres.Open(t.Context(), dsn)
		require.NoError(t, err)
		t.Cleanup(func() { store.Close() })
		r := schedule.New(schedule.WithLocker(pglock.New(store.DB())), schedule.WithLastRuns(store),
			schedule.WithOnResult(func(res schedule.Result) { mu.Lock(); results = append(results, res); mu.Unlock() }))
		require.NoError(t, r.Add(name, everySecond{}, func(ctx context.Context) error {
			now := time.Now()
			time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond) // some runs overlap the others' ticks
			return store.SaveRun(ctx, &report.Report{RunID: fmt.Sprintf("replica-%d-%d", i, now.UnixNano()),
				Policies: []string{name}, Site: "https://jira.example.com", Started: now, Finished: time.Now()})
		}, schedule.JobCatchUp(false), schedule.JobJitter(time.Duration(i)*200*time.Millisecond)))
		wg.Go(func() { _ = r.Run(ctx) })
	}
	wg.Wait()

	// The end of the test cancels what runs at that moment: a run stopped
	// then may or may not have saved its run; a lock asked for then is not
	// had.
	stopped := func(err error) bool {
		return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	}
	ran := map[time.Time]int{}
	saved := 0 // the runs that ran to the end, so saved their run
	skipped := map[string]int{}
	for _, res := range results {
		switch {
		case res.Ran:
			ran[res.Due]++
			if res.Err == nil {
				saved++
			} else if !stopped(res.Err) {
				t.Errorf("run failed: %+v", res)
			}
		case errors.Is(res.Err, schedule.ErrLocked):
			skipped["locked"]++
		case errors.Is(res.Err, schedule.ErrAlreadyRan):
			skipped["already ran"]++
		case stopped(res.Err):
			skipped["stopped by the test's end"]++
		default:
			t.Errorf("unexpected result %+v", res)
		}
	}
	for due, n := range ran {
		assert.Equal(t, 1, n, "due %s ran %d times", due.Format(time.TimeOnly), n)
	}
	assert.GreaterOrEqual(t, len(ran), 2, "at least two ticks ran")
	store, err := postgres.Open(t.Context(), dsn)
	require.NoError(t, err)
	defer store.Close()
	runs, err := store.Runs(t.Context(), "", time.Now().Add(-time.Minute), time.Now().Add(time.Minute))
	require.NoError(t, err)
	// Each run saves one record; one cut by the test's end may have
	// committed or not (its commit's answer was not awaited).
	assert.GreaterOrEqual(t, len(runs), saved, "the runs that ran to the end are in the history")
	assert.LessOrEqual(t, len(runs), len(ran), "the history has no run more than the ticks that ran")
	t.Logf("%d ticks, each run once; skips: %v", len(ran), skipped)
}
