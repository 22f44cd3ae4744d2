package pglock

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"time"

	"github.com/seatwarden/seatwarden/schedule"
)

// DefaultPrefix is put before a job's name unless [Locker.Prefix] says
// otherwise.
const DefaultPrefix = "seatwarden/schedule/"

// Locker takes PostgreSQL advisory locks through DB. Share one Locker (or
// one Prefix) between every replica that must exclude the others; two
// deployments on the same database use different prefixes.
type Locker struct {
	DB *sql.DB
	// Prefix is put before every job's name (default DefaultPrefix).
	Prefix string
	// UnlockTimeout bounds the unlock at release (default 10 s).
	UnlockTimeout time.Duration
}

var _ schedule.Locker = (*Locker)(nil)

// New returns a Locker on db with the default prefix.
func New(db *sql.DB) *Locker { return &Locker{DB: db} }

func (l *Locker) key(name string) string {
	if l.Prefix == "" {
		return DefaultPrefix + name
	}
	return l.Prefix + name
}

// TryLock takes the lock of name if no session holds it, without
// waiting. It fails when no connection can be had or the query fails.
func (l *Locker) TryLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	conn, err := l.DB.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	key := l.key(name)
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, key).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, err
	}
	return l.release(ctx, conn, key), true, nil
}

// Lock waits until it takes the lock of name (another session may hold
// it), or ctx ends. It fails when no connection can be had, the query
// fails or ctx ends first.
func (l *Locker) Lock(ctx context.Context, name string) (release func(), err error) {
	conn, err := l.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	key := l.key(name)
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key); err != nil {
		// A cancelled wait may have left the session in any state: end it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
		return nil, err
	}
	return l.release(ctx, conn, key), nil
}

// release returns the function that releases the lock of key that conn's
// session holds, once.
func (l *Locker) release(ctx context.Context, conn *sql.Conn, key string) func() {
	timeout := l.UnlockTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return sync.OnceFunc(func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		var unlocked bool
		err := conn.QueryRowContext(uctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key).Scan(&unlocked)
		if err != nil || !unlocked {
			// The session may still hold the lock (or is gone): close the
			// connection rather than return it to the pool, which ends the
			// session and so releases any lock it held.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	})
}
