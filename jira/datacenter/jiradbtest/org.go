package jiradbtest

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira/datacenter"
)

// Directory is a row of cwd_directory; Ops are its allowed operations
// (cwd_directory_operation), e.g. CREATE_USER for a writable directory.
type Directory struct {
	ID       int64
	Name     string
	Type     string // INTERNAL, CONNECTOR (LDAP), DELEGATING, CROWD
	Position int
	Active   bool
	Ops      []string
}

// User is a row of cwd_user with its attributes (name → value) and its
// key in app_user (the key is per name, not per directory: a name's first
// User gives it).
type User struct {
	ID      int64
	Dir     int64
	Name    string
	Display string
	Email   string
	Active  bool
	Created time.Time
	Key     string
	Attrs   map[string]string
	Groups  []string // group names in the user's directory
}

// Group is a row of cwd_group.
type Group struct {
	ID   int64
	Dir  int64
	Name string
}

// Org is a set of Jira user tables to load.
type Org struct {
	Dirs   []Directory
	Users  []User
	Groups []Group
	// GroupSeq is sequence_value_item's "Group" row (0: no row).
	GroupSeq int64
	// Heartbeats are clusternode_heartbeat rows: node → how long before
	// the database's current time its last heartbeat was.
	Heartbeats map[string]time.Duration
}

// WritableOps are the operations of a read/write directory.
var WritableOps = []string{"CREATE_GROUP", "CREATE_USER", "UPDATE_GROUP", "UPDATE_USER", "DELETE_GROUP", "DELETE_USER",
	"UPDATE_GROUP_ATTRIBUTE", "UPDATE_USER_ATTRIBUTE"}

// ReadOnlyOps are the operations of a read-only LDAP directory (Jira
// keeps user attributes such as the last login locally).
var ReadOnlyOps = []string{"UPDATE_USER_ATTRIBUTE", "UPDATE_GROUP_ATTRIBUTE"}

// Load inserts o into the tables of a database [Open] returned.
func Load(ctx context.Context, db *sql.DB, d datacenter.Dialect, o Org) error {
	quote := func(s string) string { return quoteFor(d, s) }
	ts := func(at time.Time) string {
		if d == datacenter.MySQL {
			return quote(at.UTC().Format("2006-01-02 15:04:05"))
		}
		return quote(at.UTC().Format("2006-01-02 15:04:05.000Z07:00"))
	}
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	created := time.Date(2019, 7, 23, 18, 52, 34, 0, time.UTC)
	var dirs, ops, users, attrs, groups, members, apps []string
	opID := 100
	for _, dr := range o.Dirs {
		dirs = append(dirs, fmt.Sprintf("(%d, %s, %s, %s, %s, %d, '', 'x', 'x', %s, %d)", dr.ID, quote(dr.Name),
			quote(strings.ToLower(dr.Name)), ts(created), ts(created), b(dr.Active), quote(dr.Type), dr.Position))
		for _, op := range dr.Ops {
			ops = append(ops, fmt.Sprintf("(%d, %d, %s)", opID, dr.ID, quote(op)))
			opID++
		}
	}
	gid := map[string]int64{}
	for _, g := range o.Groups {
		gid[fmt.Sprint(g.Dir, "/", strings.ToLower(g.Name))] = g.ID
		groups = append(groups, fmt.Sprintf("(%d, %s, %s, 1, 0, %s, %s, %s, %s, 'GROUP', %d, NULL)", g.ID, quote(g.Name),
			quote(strings.ToLower(g.Name)), ts(created), ts(created), quote("the "+g.Name), quote("the "+strings.ToLower(g.Name)), g.Dir))
	}
	attr, mem := int64(500000), int64(700000)
	keys := map[string]bool{}
	for _, u := range o.Users {
		c := u.Created
		if c.IsZero() {
			c = created
		}
		users = append(users, fmt.Sprintf("(%d, %d, %s, %s, %d, %s, %s, 'F', 'f', 'L', 'l', %s, %s, %s, %s, 'nopass', 0, %s)",
			u.ID, u.Dir, quote(u.Name), quote(strings.ToLower(u.Name)), b(u.Active), ts(c), ts(c),
			quote(u.Display), quote(strings.ToLower(u.Display)), quote(u.Email), quote(strings.ToLower(u.Email)), quote(fmt.Sprint("ext-", u.ID))))
		for _, name := range sortedKeys(u.Attrs) {
			v := u.Attrs[name]
			attrs = append(attrs, fmt.Sprintf("(%d, %d, %d, %s, %s, %s)", attr, u.ID, u.Dir, quote(name), quote(v), quote(strings.ToLower(v))))
			attr++
		}
		for _, g := range u.Groups {
			id, ok := gid[fmt.Sprint(u.Dir, "/", strings.ToLower(g))]
			if !ok {
				return fmt.Errorf("jiradbtest: user %s: no group %q in directory %d", u.Name, g, u.Dir)
			}
			members = append(members, fmt.Sprintf("(%d, %d, %d, 'GROUP_USER', 'GROUP', %s, %s, %s, %s, %d)", mem, id, u.ID,
				quote(g), quote(strings.ToLower(g)), quote(u.Name), quote(strings.ToLower(u.Name)), u.Dir))
			mem++
		}
		if lk := strings.ToLower(u.Name); !keys[lk] {
			keys[lk] = true
			key := u.Key
			if key == "" {
				key = fmt.Sprintf("JIRAUSER%d", u.ID)
			}
			apps = append(apps, fmt.Sprintf("(%d, %s, %s)", u.ID, quote(key), quote(lk)))
		}
	}
	insert := func(table string, rows []string) error {
		for len(rows) > 0 {
			n := min(len(rows), 200)
			if _, err := db.ExecContext(ctx, "INSERT INTO "+table+" VALUES "+strings.Join(rows[:n], ", ")); err != nil {
				return fmt.Errorf("jiradbtest: insert %s: %w", table, err)
			}
			rows = rows[n:]
		}
		return nil
	}
	for _, t := range []struct {
		name string
		rows []string
	}{{"cwd_directory", dirs}, {"cwd_directory_operation", ops}, {"cwd_user", users}, {"cwd_user_attributes", attrs},
		{"cwd_group", groups}, {"cwd_membership", members}, {"app_user", apps}} {
		if err := insert(t.name, t.rows); err != nil {
			return err
		}
	}
	if o.GroupSeq > 0 {
		if err := insert("sequence_value_item", []string{fmt.Sprintf("('Group', %d)", o.GroupSeq)}); err != nil {
			return err
		}
	}
	for node, ago := range o.Heartbeats {
		if err := Heartbeat(ctx, db, d, node, ago); err != nil {
			return err
		}
	}
	return nil
}

// Heartbeat records that node sent its last heartbeat ago before the
// database's current time, as a running Jira DC node does every few
// seconds.
func Heartbeat(ctx context.Context, db *sql.DB, d datacenter.Dialect, node string, ago time.Duration) error {
	now := "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)"
	if d == datacenter.MySQL {
		now = "CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)"
	}
	quote := func(s string) string { return quoteFor(d, s) }
	if _, err := db.ExecContext(ctx, "DELETE FROM clusternode_heartbeat WHERE node_id = "+quote(node)); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO clusternode_heartbeat (node_id, heartbeat_time, database_time) SELECT %s, %s - %d, %s - %d",
		quote(node), now, ago.Milliseconds(), now, ago.Milliseconds()))
	return err
}

// quoteFor is s as a string literal of dialect d (MySQL reads a backslash
// in a literal as an escape).
func quoteFor(d datacenter.Dialect, s string) string {
	if d == datacenter.MySQL {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
