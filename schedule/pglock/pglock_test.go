package pglock_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/pgtest"
	"github.com/seatwarden/seatwarden/schedule"
	"github.com/seatwarden/seatwarden/schedule/pglock"
)

// replica returns a Locker on a pool of its own, as another process would
// have, closed when t ends.
func replica(t *testing.T, prefix string) *pglock.Locker {
	t.Helper()
	db, err := sql.Open("pgx", pgtest.DSN(t))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return &pglock.Locker{DB: db, Prefix: prefix}
}

// prefix returns a prefix no other test uses: advisory locks are shared
// by the whole database.
func prefix() string { return fmt.Sprintf("seatwarden-test/%d-%d/", time.Now().UnixNano(), rand.Int()) }

// freed waits until l can take the lock of name (and releases it), for
// 30 s at most: PostgreSQL notices a dead session within moments.
func freed(t *testing.T, l *pglock.Locker, name, what string) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	for {
		release, ok := tryLock(t, l, name)
		if ok {
			release()
			t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tryLock(t *testing.T, l *pglock.Locker, name string) (func(), bool) {
	t.Helper()
	release, ok, err := l.TryLock(t.Context(), name)
	require.NoError(t, err)
	return release, ok
}

func TestTwoReplicasOneWins(t *testing.T) {
	t.Parallel()
	p := prefix()
	a, b := replica(t, p), replica(t, p)
	releaseA, ok := tryLock(t, a, "inactive-90-days")
	require.True(t, ok, "the first replica takes the lock")
	_, ok = tryLock(t, b, "inactive-90-days")
	assert.False(t, ok, "the second replica does not get it")
	_, ok = tryLock(t, a, "inactive-90-days")
	assert.False(t, ok, "nor does another session of the first")
	releaseB, ok := tryLock(t, b, "contractors")
	require.True(t, ok, "another job's lock is free")
	releaseB()

	releaseA()
	releaseA() // release is idempotent
	releaseB, ok = tryLock(t, b, "inactive-90-days")
	require.True(t, ok, "released: the second replica takes it")
	releaseB()

	other := replica(t, prefix())
	releaseO, ok := tryLock(t, other, "inactive-90-days")
	assert.True(t, ok, "another prefix, another lock")
	releaseO()
}

// TestRunnersOnTwoReplicas runs a job on two schedule.Runners sharing the
// database: while one runs it, the other's run is skipped with ErrLocked.
func TestRunnersOnTwoReplicas(t *testing.T) {
	t.Parallel()
	p := prefix()
	started, finish := make(chan struct{}), make(chan struct{})
	a := schedule.New(schedule.WithLocker(replica(t, p)))
	b := schedule.New(schedule.WithLocker(replica(t, p)))
	var bRan bool
	spec, err := schedule.Parse("@daily", nil)
	require.NoError(t, err)
	require.NoError(t, a.Add("nightly", spec, func(context.Context) error { close(started); <-finish; return nil }))
	require.NoError(t, b.Add("nightly", spec, func(context.Context) error { bRan = true; return nil }))
	done := make(chan error)
	go func() { done <- a.RunNow(t.Context(), "nightly") }()
	<-started
	assert.ErrorIs(t, b.RunNow(t.Context(), "nightly"), schedule.ErrLocked)
	close(finish)
	require.NoError(t, <-done)
	require.NoError(t, b.RunNow(t.Context(), "nightly"), "released after the run")
	assert.True(t, bRan)
}

// TestLostConnectionReleases ends the holder's session from outside, as a
// network failure or a restarted database would: the other replica takes
// the lock, and the holder's release afterwards neither fails nor hangs.
func TestLostConnectionReleases(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p := prefix()
	a, b := replica(t, p), replica(t, p)
	releaseA, ok := tryLock(t, a, "job")
	require.True(t, ok)
	_, ok = tryLock(t, b, "job")
	require.False(t, ok)

	var killed int
	require.NoError(t, b.DB.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`, p+"job").Scan(&killed))
	require.Equal(t, 1, killed, "one session holds the lock")
	freed(t, b, "job", "the other replica takes the lock of the lost session")
	releaseA()
	releaseA2, ok := tryLock(t, a, "job")
	require.True(t, ok, "the first replica's pool works again")
	releaseA2()
}

// TestKilledHolderReleases starts a child process that takes the lock and
// waits, and kills it (SIGKILL): the lock is free again.
func TestKilledHolderReleases(t *testing.T) {
	t.Parallel()
	p := prefix()
	b := replica(t, p)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolderProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "PGLOCK_TEST_HOLD="+p)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	held := false
	for !held && lines.Scan() {
		held = strings.Contains(lines.Text(), "HOLDING")
	}
	require.True(t, held, "the child took the lock")
	_, ok := tryLock(t, b, "job")
	require.False(t, ok, "the child holds it")

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	freed(t, b, "job", "the lock of the killed process is released")
}

// TestHolderProcess is the child of TestKilledHolderReleases: it takes
// the lock and waits to be killed. It does nothing in a normal run.
func TestHolderProcess(t *testing.T) {
	p := os.Getenv("PGLOCK_TEST_HOLD")
	if p == "" {
		t.Skip("the child process of TestKilledHolderReleases")
	}
	l := replica(t, p)
	_, ok := tryLock(t, l, "job")
	require.True(t, ok)
	fmt.Println("HOLDING")
	time.Sleep(time.Minute)
	t.Fatal("not killed within a minute")
}

// TestLockWaits: Lock waits while another replica holds the lock, takes
// it once released, and gives up when its context ends.
func TestLockWaits(t *testing.T) {
	t.Parallel()
	p := prefix()
	a, b := replica(t, p), replica(t, p)
	releaseA, err := a.Lock(t.Context(), "approval")
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = b.Lock(ctx, "approval")
	require.Error(t, err, "b waits while a holds the lock, until its context ends")

	got := make(chan func(), 1)
	go func() {
		release, err := b.Lock(t.Context(), "approval")
		assert.NoError(t, err)
		got <- release
	}()
	select {
	case <-got:
		t.Fatal("b took the lock a holds")
	case <-time.After(100 * time.Millisecond):
	}
	releaseA()
	select {
	case releaseB := <-got:
		require.NotNil(t, releaseB)
		_, ok := tryLock(t, a, "approval")
		assert.False(t, ok, "b holds the lock now")
		releaseB()
	case <-time.After(30 * time.Second):
		t.Fatal("b did not take the lock a released")
	}
	freed(t, a, "approval", "the lock is free after b releases it")
}
