package schedule

import (
	"context"
	"sync"
	"time"
)

// Locker keeps several runners — replicas of a service or daemon — from
// running the same job at once. The runner calls TryLock before each run
// and release after the run, once [WithOnResult] has recorded it.
//
// TryLock must not wait for the lock: ok is false, with a nil error, when
// another holder has it, and the run is skipped with [ErrLocked]. An error
// means the lock could not be asked for; the run is skipped and the error
// reported. release is called exactly once, even when ctx is done.
//
// [MemoryLocker] is the in-process implementation. Package
// schedule/pglock is the one for replicas: a session-level PostgreSQL
// advisory lock (pg_try_advisory_lock) on a connection of its own, which
// PostgreSQL also releases if the connection or the process dies, so a
// crashed replica never holds a job. Hash collisions between two names
// only make two jobs exclude each other.
//
// A lock alone does not stop a second replica whose clock or timer is a
// little late from running a short job again once the first has released
// it; with [WithLastRuns] backed by a history store shared by the
// replicas, the runner checks after taking the lock that no run started at
// or after the due time ([ErrAlreadyRan]).
type Locker interface {
	TryLock(ctx context.Context, name string) (release func(), ok bool, err error)
}

// MemoryLocker is a [Locker] for runners in one process. The zero value is
// ready to use; share it by pointer.
type MemoryLocker struct {
	mu   sync.Mutex
	held map[string]bool
}

var _ Locker = (*MemoryLocker)(nil)

// NewMemoryLocker returns an empty [MemoryLocker].
func NewMemoryLocker() *MemoryLocker { return &MemoryLocker{} }

// TryLock takes the lock of name if it is free. It fails only when ctx is
// done.
func (l *MemoryLocker) TryLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name] {
		return nil, false, nil
	}
	if l.held == nil {
		l.held = make(map[string]bool)
	}
	l.held[name] = true
	return sync.OnceFunc(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.held, name)
	}), true, nil
}

// LastRuns tells when a job last ran, from a history store that outlives
// the process (report/history's SQLite store implements it). LastRun
// returns the Start of the most recent run of name that ran
// ([Result].Ran), by any replica, and ok false if there is none.
//
// The runner uses it twice: on start, to catch up a run missed while it
// was down (see [WithLastRuns]); and, after taking the lock of a scheduled
// run, to skip a due time another replica has already run.
type LastRuns interface {
	LastRun(ctx context.Context, name string) (start time.Time, ok bool, err error)
}

// LastRunsFunc adapts a function to [LastRuns].
type LastRunsFunc func(ctx context.Context, name string) (time.Time, bool, error)

// LastRun calls f.
func (f LastRunsFunc) LastRun(ctx context.Context, name string) (time.Time, bool, error) {
	return f(ctx, name)
}
