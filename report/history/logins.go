package history

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"time"
)

// migrationLogins is schema v4: the on-login trigger's state. One row per
// policy and site says when its logins were last checked; one row per
// policy, site and user holds the last login that check saw (the
// watermark a later check compares against) and whether the user's login
// still waits to be acted on.
const migrationLogins = `CREATE TABLE login_checks (
		policy TEXT NOT NULL,
		site TEXT NOT NULL,
		checked TEXT NOT NULL,    -- RFC 3339, UTC: the snapshot the check read
		PRIMARY KEY (policy, site)
	);
	CREATE TABLE login_marks (
		policy TEXT NOT NULL,
		site TEXT NOT NULL,
		user_id TEXT NOT NULL,    -- accountId (Cloud) or key (DC)
		last_login TEXT NOT NULL, -- RFC 3339, UTC; '' never logged in
		pending INTEGER NOT NULL, -- 1: logged in, not yet acted on
		PRIMARY KEY (policy, site, user_id),
		FOREIGN KEY (policy, site) REFERENCES login_checks(policy, site) ON DELETE CASCADE
	);
	CREATE INDEX login_marks_pending ON login_marks(policy, site) WHERE pending = 1;`

// LoginStore keeps the state of the on-login trigger (usermgmt's
// LoginTrigger) per policy and site, so that a restarted program, or
// another replica on the same store, neither misses nor repeats a login:
// when the logins were last checked, each user's last login as that
// check saw it, and the users whose login is detected but not yet acted
// on. A LoginStore is safe for concurrent use.
type LoginStore interface {
	// Logins returns the state of policy on site; the zero state (zero
	// Checked) when it was never checked.
	Logins(ctx context.Context, policy, site string) (LoginState, error)
	// SaveLogins records a check in one transaction, provided the stored
	// check is still prev (the Checked that Logins returned; zero for the
	// first): it sets Checked, writes the users' last logins in Last
	// (others keep theirs), marks the users in Pending as pending and
	// drops the users in Forget. When
	// another check was recorded since prev it changes nothing and returns
	// [ErrLoginConflict]: that check's caller acts on the logins.
	SaveLogins(ctx context.Context, policy, site string, prev time.Time, u LoginUpdate) error
	// DoneLogins clears the pending mark of the users given, once their
	// logins were acted on.
	DoneLogins(ctx context.Context, policy, site string, users []string) error
}

// LoginState is what a [LoginStore] holds for one policy and site.
type LoginState struct {
	// Checked is the time of the snapshot the last check read; zero when
	// the policy was never checked on the site.
	Checked time.Time
	// Last maps a user's id to the last login the checks saw; the zero
	// time means the user had never logged in. Users whose last login was
	// never known are not in it.
	Last map[string]time.Time
	// Pending lists, sorted, the users whose login was detected but not
	// yet acted on.
	Pending []string
}

// LoginUpdate is a check to record with [LoginStore.SaveLogins].
type LoginUpdate struct {
	// Checked is the time of the snapshot the check read. Stores keep
	// microseconds: pass a time truncated to them so that it reads back
	// equal.
	Checked time.Time
	// Last holds the last logins that changed (or are new) since the
	// previous check, by user id; the zero time means never logged in.
	Last map[string]time.Time
	// Pending lists users whose login is to be acted on; each must be in
	// Last or already in the store.
	Pending []string
	// Forget lists users whose records are dropped: users no longer on
	// the site.
	Forget []string
}

// ErrLoginConflict is returned by [LoginStore.SaveLogins] when another
// check was recorded since the one the caller read.
var ErrLoginConflict = errors.New("history: logins were checked by another caller since")

var _ LoginStore = (*SQLite)(nil)

// Logins implements LoginStore.
func (s *SQLite) Logins(ctx context.Context, policy, site string) (LoginState, error) {
	var st LoginState
	var checked string
	err := s.db.QueryRowContext(ctx, `SELECT checked FROM login_checks WHERE policy = ? AND site = ?`,
		policy, site).Scan(&checked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return st, nil
	case err != nil:
		return st, err
	}
	st.Checked = parseTS(checked)
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, last_login, pending FROM login_marks
		WHERE policy = ? AND site = ?`, policy, site)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	st.Last = map[string]time.Time{}
	for rows.Next() {
		var id, last string
		var pending bool
		if err := rows.Scan(&id, &last, &pending); err != nil {
			return st, err
		}
		if last != "" {
			st.Last[id] = parseTS(last)
		} else {
			st.Last[id] = time.Time{}
		}
		if pending {
			st.Pending = append(st.Pending, id)
		}
	}
	slices.Sort(st.Pending)
	return st, rows.Err()
}

// SaveLogins implements LoginStore.
func (s *SQLite) SaveLogins(ctx context.Context, policy, site string, prev time.Time, u LoginUpdate) error {
	tx, err := s.db.BeginTx(ctx, nil) // _txlock=immediate: the file is locked from here
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cur string
	switch err := tx.QueryRowContext(ctx, `SELECT checked FROM login_checks WHERE policy = ? AND site = ?`,
		policy, site).Scan(&cur); {
	case errors.Is(err, sql.ErrNoRows):
		if !prev.IsZero() {
			return ErrLoginConflict
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_checks (policy, site, checked) VALUES (?, ?, ?)`,
			policy, site, ts(u.Checked)); err != nil {
			return err
		}
	case err != nil:
		return err
	case prev.IsZero() || !parseTS(cur).Equal(prev):
		return ErrLoginConflict
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE login_checks SET checked = ? WHERE policy = ? AND site = ?`,
			ts(u.Checked), policy, site); err != nil {
			return err
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO login_marks (policy, site, user_id, last_login, pending)
		VALUES (?, ?, ?, ?, 0) ON CONFLICT (policy, site, user_id) DO UPDATE SET last_login = excluded.last_login`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, id := range slices.Sorted(maps.Keys(u.Last)) {
		last := ""
		if t := u.Last[id]; !t.IsZero() {
			last = ts(t)
		}
		if _, err := stmt.ExecContext(ctx, policy, site, id, last); err != nil {
			return err
		}
	}
	for _, id := range u.Pending {
		if _, err := tx.ExecContext(ctx, `UPDATE login_marks SET pending = 1
			WHERE policy = ? AND site = ? AND user_id = ?`, policy, site, id); err != nil {
			return err
		}
	}
	for _, id := range u.Forget {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_marks WHERE policy = ? AND site = ? AND user_id = ?`,
			policy, site, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// DoneLogins implements LoginStore.
func (s *SQLite) DoneLogins(ctx context.Context, policy, site string, users []string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, id := range users {
		if _, err := tx.ExecContext(ctx, `UPDATE login_marks SET pending = 0
			WHERE policy = ? AND site = ? AND user_id = ?`, policy, site, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}
