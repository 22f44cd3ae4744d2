package history

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// LastRun returns when the most recent run of policy started — a run
// whose plan included the policy, applied or dry — and ok false when the
// history has none. It makes SQLite a schedule.LastRuns, the history the
// scheduler reads to catch up a run missed while the service was down.
func (s *SQLite) LastRun(ctx context.Context, policy string) (start time.Time, ok bool, err error) {
	// started is RFC 3339 text, whose order is not the time's when the
	// fractions of a second differ in length: order by julianday.
	var started string
	err = s.db.QueryRowContext(ctx, `SELECT r.started FROM runs r, json_each(r.policies) p
		WHERE p.value = ? ORDER BY julianday(r.started) DESC, r.started DESC LIMIT 1`, policy).Scan(&started)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, err
	}
	return parseTS(started), true, nil
}
