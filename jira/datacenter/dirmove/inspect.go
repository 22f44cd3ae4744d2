package dirmove

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Querier is what Inspect and Verify read through: a *sql.DB or *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// query runs q and calls scan for each row.
func query(ctx context.Context, db Querier, q string, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("dirmove: reading Jira's database: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("dirmove: reading Jira's database: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dirmove: reading Jira's database: %w", err)
	}
	return nil
}

// Inspect reads from Jira's database what [NewPlan] needs for req: the
// directories, the source directory's users (the requested ones, or all)
// with their keys, attributes and group memberships, the target's users of
// the same names and its groups, and the group id sequence. It only
// reads. Ids are numeric(18,0) in Jira's schema and are read as integers.
func Inspect(ctx context.Context, db Querier, req Request) (*State, error) {
	st := &State{Target: map[string]UserRecord{}, Groups: map[string]int64{}}
	writable := map[int64]bool{}
	if err := query(ctx, db, "SELECT directory_id FROM cwd_directory_operation WHERE operation_type = 'CREATE_USER'", func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		writable[id] = true
		return err
	}); err != nil {
		return nil, err
	}
	if err := query(ctx, db, "SELECT id, directory_name, directory_type, directory_position, active FROM cwd_directory ORDER BY directory_position, id", func(r *sql.Rows) error {
		var d Directory
		var typ sql.NullString
		var active sql.NullInt64
		err := r.Scan(&d.ID, &d.Name, &typ, &d.Position, &active)
		d.Type, d.Active, d.Writable = typ.String, active.Int64 == 1, writable[d.ID]
		st.Directories = append(st.Directories, d)
		return err
	}); err != nil {
		return nil, err
	}
	from, to, err := directories(st.Directories, req)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, n := range req.Users {
		wanted[strings.ToLower(strings.TrimSpace(n))] = true
	}
	byID := map[int64]*SourceUser{}
	var order []int64
	found := map[string]bool{}
	if err := query(ctx, db, `SELECT u.id, u.directory_id, u.user_name, u.lower_user_name, u.display_name, u.email_address, u.active, k.user_key
  FROM cwd_user u LEFT JOIN app_user k ON k.lower_user_name = u.lower_user_name
 WHERE u.directory_id IN (`+id(from.ID)+`, `+id(to.ID)+`) ORDER BY u.lower_user_name, u.directory_id`, func(r *sql.Rows) error {
		var u UserRecord
		var lower string
		var display, email, key sql.NullString
		var active sql.NullInt64
		if err := r.Scan(&u.ID, &u.Directory, &u.Name, &lower, &display, &email, &active, &key); err != nil {
			return err
		}
		u.Display, u.Email, u.Active = display.String, email.String, active.Int64 == 1
		if u.Directory == to.ID {
			st.Target[lower] = u
			return nil
		}
		if len(wanted) > 0 && !wanted[lower] {
			return nil
		}
		found[lower] = true
		byID[u.ID] = &SourceUser{UserRecord: u, Key: key.String}
		order = append(order, u.ID)
		return nil
	}); err != nil {
		return nil, err
	}
	for n := range wanted {
		if !found[n] {
			st.Missing = append(st.Missing, n)
		}
	}
	slices.Sort(st.Missing)
	if err := query(ctx, db, "SELECT id, user_id, attribute_name, attribute_value FROM cwd_user_attributes WHERE directory_id = "+id(from.ID)+" ORDER BY user_id, id", func(r *sql.Rows) error {
		var a Attribute
		var uid int64
		var v sql.NullString
		if err := r.Scan(&a.ID, &uid, &a.Name, &v); err != nil {
			return err
		}
		a.Value = v.String
		if u := byID[uid]; u != nil {
			u.Attributes = append(u.Attributes, a)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := query(ctx, db, `SELECT m.id, m.child_id, m.parent_id, g.group_name FROM cwd_membership m JOIN cwd_group g ON g.id = m.parent_id
 WHERE m.directory_id = `+id(from.ID)+` AND m.membership_type = 'GROUP_USER' ORDER BY m.child_id, g.lower_group_name, m.id`, func(r *sql.Rows) error {
		var ms Membership
		var uid int64
		if err := r.Scan(&ms.ID, &uid, &ms.FromGroupID, &ms.FromGroup); err != nil {
			return err
		}
		if u := byID[uid]; u != nil {
			u.Memberships = append(u.Memberships, ms)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := query(ctx, db, "SELECT id, lower_group_name FROM cwd_group WHERE directory_id = "+id(to.ID), func(r *sql.Rows) error {
		var id int64
		var name string
		err := r.Scan(&id, &name)
		st.Groups[name] = id
		return err
	}); err != nil {
		return nil, err
	}
	if err := query(ctx, db, "SELECT COALESCE(MAX(id), 0) FROM cwd_group", func(r *sql.Rows) error { return r.Scan(&st.MaxGroupID) }); err != nil {
		return nil, err
	}
	if err := query(ctx, db, "SELECT seq_id FROM sequence_value_item WHERE seq_name = 'Group'", func(r *sql.Rows) error {
		var v int64
		err := r.Scan(&v)
		st.GroupSeq = &v
		return err
	}); err != nil {
		return nil, err
	}
	for _, id := range order {
		st.Source = append(st.Source, *byID[id])
	}
	return st, nil
}

// id is an id as an SQL literal (ids are numbers: nothing to escape).
func id(n int64) string { return strconv.FormatInt(n, 10) }
