// Package pglock is a schedule.Locker on PostgreSQL session-level
// advisory locks, for replicas of the daemon or the server that share one
// database: of the runners that try a job at once, one takes its lock and
// runs it, the others skip it (schedule.ErrLocked).
//
// A lock is pg_try_advisory_lock on the 64-bit hash (hashtextextended) of
// the job's name, prefixed with [Locker.Prefix], held by a connection
// taken out of the pool for the run. PostgreSQL releases it when that
// connection closes, so a replica that crashes or is killed (SIGKILL)
// never keeps a job: its kernel closes the connection, and the others take
// the job at their next tick (in the tests the lock is free within 10 ms).
// A replica cut off from the network keeps the lock until the server
// notices the dead connection: set the server's tcp_keepalives_idle,
// tcp_keepalives_interval and tcp_keepalives_count (or tcp_user_timeout)
// to bound that, as the operating system's defaults wait hours. Release unlocks and returns the connection to the pool; if the
// unlock fails the connection is closed instead, which releases the lock
// as well.
//
// The package uses database/sql only: pass it the *sql.DB of the history
// (report/history/postgres's Store.DB), so that one pool serves both.
//
// What a lock cannot do: if the holder's connection is lost while its job
// runs, the lock is gone and another replica may start the job before the
// first notices; and a replica whose timer is late may run a short job
// again once the first has released it. The runner's LastRuns check
// (schedule.WithLastRuns, on the same shared history) covers the second;
// jobs stay idempotent (plans are journaled and steps re-checked) for the
// first.
package pglock
