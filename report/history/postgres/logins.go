package postgres

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/seatwarden/seatwarden/report/history"
)

// migrationLogins is schema v4, the SQLite store's in PostgreSQL's types:
// the on-login trigger's checks and per-user last logins.
const migrationLogins = `CREATE TABLE login_checks (
		policy TEXT NOT NULL,
		site TEXT NOT NULL,
		checked TIMESTAMPTZ NOT NULL,
		PRIMARY KEY (policy, site)
	);
	CREATE TABLE login_marks (
		policy TEXT NOT NULL,
		site TEXT NOT NULL,
		user_id TEXT NOT NULL,
		last_login TIMESTAMPTZ,   -- NULL: never logged in
		pending BOOLEAN NOT NULL,
		PRIMARY KEY (policy, site, user_id),
		FOREIGN KEY (policy, site) REFERENCES login_checks(policy, site) ON DELETE CASCADE
	);
	CREATE INDEX login_marks_pending ON login_marks(policy, site) WHERE pending;`

// Logins implements history.LoginStore.
func (s *Store) Logins(ctx context.Context, policy, site string) (history.LoginState, error) {
	var st history.LoginState
	err := s.db.QueryRowContext(ctx, `SELECT checked FROM login_checks WHERE policy = $1 AND site = $2`,
		policy, site).Scan(&st.Checked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return st, nil
	case err != nil:
		return st, err
	}
	st.Checked = st.Checked.UTC()
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, last_login, pending FROM login_marks
		WHERE policy = $1 AND site = $2 ORDER BY user_id`, policy, site)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	st.Last = map[string]time.Time{}
	for rows.Next() {
		var id string
		var last sql.NullTime
		var pending bool
		if err := rows.Scan(&id, &last, &pending); err != nil {
			return st, err
		}
		st.Last[id] = time.Time{}
		if last.Valid {
			st.Last[id] = last.Time.UTC()
		}
		if pending {
			st.Pending = append(st.Pending, id)
		}
	}
	return st, rows.Err()
}

// SaveLogins implements history.LoginStore: the check's row is locked
// (FOR UPDATE) while it is compared with prev, so that of two replicas
// recording a check from the same state one wins and the other gets
// history.ErrLoginConflict.
func (s *Store) SaveLogins(ctx context.Context, policy, site string, prev time.Time, u history.LoginUpdate) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cur time.Time
	switch err := tx.QueryRowContext(ctx, `SELECT checked FROM login_checks WHERE policy = $1 AND site = $2
		FOR UPDATE`, policy, site).Scan(&cur); {
	case errors.Is(err, sql.ErrNoRows):
		if !prev.IsZero() {
			return history.ErrLoginConflict
		}
		// Two first checks at once: the second insert conflicts.
		res, err := tx.ExecContext(ctx, `INSERT INTO login_checks (policy, site, checked) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, policy, site, u.Checked)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return history.ErrLoginConflict
		}
	case err != nil:
		return err
	case prev.IsZero() || !cur.Equal(prev):
		return history.ErrLoginConflict
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE login_checks SET checked = $3 WHERE policy = $1 AND site = $2`,
			policy, site, u.Checked); err != nil {
			return err
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO login_marks (policy, site, user_id, last_login, pending)
		VALUES ($1, $2, $3, $4, false)
		ON CONFLICT (policy, site, user_id) DO UPDATE SET last_login = EXCLUDED.last_login`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, id := range slices.Sorted(maps.Keys(u.Last)) {
		last := sql.NullTime{Time: u.Last[id], Valid: !u.Last[id].IsZero()}
		if _, err := stmt.ExecContext(ctx, policy, site, id, last); err != nil {
			return err
		}
	}
	if len(u.Pending) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE login_marks SET pending = true
			WHERE policy = $1 AND site = $2 AND user_id = ANY($3)`, policy, site, u.Pending); err != nil {
			return err
		}
	}
	if len(u.Forget) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_marks WHERE policy = $1 AND site = $2 AND user_id = ANY($3)`,
			policy, site, u.Forget); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// DoneLogins implements history.LoginStore.
func (s *Store) DoneLogins(ctx context.Context, policy, site string, users []string) error {
	if len(users) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `UPDATE login_marks SET pending = false
		WHERE policy = $1 AND site = $2 AND user_id = ANY($3)`, policy, site, users)
	return err
}
