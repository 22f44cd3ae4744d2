package dirmove

import (
	"fmt"
	"strings"

	"github.com/seatwarden/seatwarden/jira/datacenter"
)

// Statement is one SQL statement of a script, with the number of rows it
// must change (-1: any number) and the user it is for ("" for the
// plan's own statements).
type Statement struct {
	SQL  string
	Rows int64
	User string
}

// Scripts are a plan rendered for one database: the statements of the
// migration and of the undo (each run in one transaction), and the
// verification queries (each returns rows only for a problem).
type Scripts struct {
	Dialect datacenter.Dialect
	Migrate []Statement
	Verify  []string
	Undo    []Statement
	header  string
}

// sqlString is s as a string literal of dialect d. MySQL treats a
// backslash in a literal as an escape (unless NO_BACKSLASH_ESCAPES), so it
// is doubled there.
func sqlString(d datacenter.Dialect, s string) string {
	if d == datacenter.MySQL {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func checkDialect(d datacenter.Dialect) error {
	if d != datacenter.PostgreSQL && d != datacenter.MySQL {
		return fmt.Errorf("dirmove: dialect %q: migrations are rendered for postgres and mysql (MySQL and MariaDB) only", d)
	}
	return nil
}

// Render writes p as SQL for dialect d (PostgreSQL or MySQL/MariaDB).
// The migration creates the missing target groups (copied from the source
// group, with ids past Jira's group sequence, which it advances), moves
// each user's cwd_user row, its cwd_user_attributes rows and its
// cwd_membership rows (pointed at the target group) to the target
// directory, every statement guarded by the row's id and current
// directory so that it changes only the planned rows. Rows keep their
// ids; nothing else changes. The undo script reverses it exactly.
func Render(p *Plan, d datacenter.Dialect) (*Scripts, error) {
	if err := checkDialect(d); err != nil {
		return nil, err
	}
	q := func(s string) string { return sqlString(d, s) }
	from, to := p.From.ID, p.To.ID
	s := &Scripts{Dialect: d}
	moves := p.offline()
	var hb strings.Builder
	fmt.Fprintf(&hb, "-- Seatwarden directory move, planned %s: %d users from %s to %s (%s).\n",
		p.Created.Format("2006-01-02 15:04:05Z"), len(moves), p.From, p.To, d)
	fmt.Fprintf(&hb, "-- Direct changes to Jira's database are not supported by Atlassian: run this on a staging copy first,\n")
	fmt.Fprintf(&hb, "-- back up the database, and stop every Jira node before running it.\n")
	if n := len(p.Moves) - len(moves); n > 0 {
		fmt.Fprintf(&hb, "-- %s move online (REST), not by this script.\n", plural(n, "user"))
	}
	fmt.Fprintf(&hb, "-- Not moved: %s (the name exists in %s), %s.\n", plural(len(p.Conflicts), "conflict"), p.To.Name, plural(len(p.Refused), "refusal"))
	s.header = hb.String()

	newGroups, seq := p.NewGroups, p.GroupSeq
	if len(moves) == 0 { // an online plan: nothing for SQL to do
		newGroups, seq = nil, nil
	}
	for _, g := range newGroups {
		local := 1
		if p.To.Type == "INTERNAL" {
			local = 0
		}
		s.Migrate = append(s.Migrate, Statement{Rows: 1, SQL: fmt.Sprintf(
			"INSERT INTO cwd_group (id, group_name, lower_group_name, active, local, created_date, updated_date, description, lower_description, group_type, directory_id)\n"+
				"  SELECT %d, %s, %s, active, %d, created_date, updated_date, description, lower_description, group_type, %d FROM cwd_group WHERE id = %d AND directory_id = %d",
			g.ID, q(g.Name), q(strings.ToLower(g.Name)), local, to, g.FromGroupID, from)})
	}
	if seq != nil {
		s.Migrate = append(s.Migrate, Statement{Rows: 1, SQL: fmt.Sprintf(
			"UPDATE sequence_value_item SET seq_id = %d WHERE seq_name = 'Group' AND seq_id = %d", p.GroupSeq.Next, p.GroupSeq.Previous)})
	}
	var ids []string
	for _, m := range moves {
		u := m.User.Name
		ids = append(ids, id(m.User.ID))
		s.Migrate = append(s.Migrate, Statement{User: u, Rows: 1, SQL: fmt.Sprintf(
			"UPDATE cwd_user SET directory_id = %d WHERE id = %d AND directory_id = %d AND lower_user_name = %s",
			to, m.User.ID, from, q(strings.ToLower(u)))})
		if len(m.Attributes) > 0 {
			s.Migrate = append(s.Migrate, Statement{User: u, Rows: int64(len(m.Attributes)), SQL: fmt.Sprintf(
				"UPDATE cwd_user_attributes SET directory_id = %d WHERE user_id = %d AND directory_id = %d AND id IN (%s)",
				to, m.User.ID, from, attrIDs(m.Attributes))})
		}
		for _, ms := range m.Memberships {
			s.Migrate = append(s.Migrate, Statement{User: u, Rows: 1, SQL: fmt.Sprintf(
				"UPDATE cwd_membership SET parent_id = %d, parent_name = %s, lower_parent_name = %s, directory_id = %d WHERE id = %d AND child_id = %d AND parent_id = %d AND directory_id = %d",
				ms.ToGroupID, q(ms.ToGroup), q(strings.ToLower(ms.ToGroup)), to, ms.ID, m.User.ID, ms.FromGroupID, from)})
		}
	}

	// Undo: memberships back to their source group, attributes and users
	// back, the created groups (once empty) deleted, the sequence restored
	// unless Jira advanced it since.
	for i := len(moves) - 1; i >= 0; i-- {
		m := moves[i]
		u := m.User.Name
		for _, ms := range m.Memberships {
			s.Undo = append(s.Undo, Statement{User: u, Rows: 1, SQL: fmt.Sprintf(
				"UPDATE cwd_membership SET parent_id = %d, parent_name = %s, lower_parent_name = %s, directory_id = %d WHERE id = %d AND child_id = %d AND parent_id = %d AND directory_id = %d",
				ms.FromGroupID, q(ms.FromGroup), q(strings.ToLower(ms.FromGroup)), from, ms.ID, m.User.ID, ms.ToGroupID, to)})
		}
		if len(m.Attributes) > 0 {
			s.Undo = append(s.Undo, Statement{User: u, Rows: int64(len(m.Attributes)), SQL: fmt.Sprintf(
				"UPDATE cwd_user_attributes SET directory_id = %d WHERE user_id = %d AND directory_id = %d AND id IN (%s)",
				from, m.User.ID, to, attrIDs(m.Attributes))})
		}
		s.Undo = append(s.Undo, Statement{User: u, Rows: 1, SQL: fmt.Sprintf(
			"UPDATE cwd_user SET directory_id = %d WHERE id = %d AND directory_id = %d AND lower_user_name = %s",
			from, m.User.ID, to, q(strings.ToLower(u)))})
	}
	for _, g := range newGroups {
		s.Undo = append(s.Undo, Statement{Rows: 1, SQL: fmt.Sprintf(
			"DELETE FROM cwd_group WHERE id = %d AND directory_id = %d AND NOT EXISTS (SELECT 1 FROM cwd_membership m WHERE m.parent_id = %d)", g.ID, to, g.ID)})
	}
	if seq != nil {
		s.Undo = append(s.Undo, Statement{Rows: -1, SQL: fmt.Sprintf(
			"UPDATE sequence_value_item SET seq_id = %d WHERE seq_name = 'Group' AND seq_id = %d", p.GroupSeq.Previous, p.GroupSeq.Next)})
	}

	if len(ids) > 0 {
		in := strings.Join(ids, ", ")
		s.Verify = []string{
			fmt.Sprintf("SELECT id, lower_user_name, 'user not in the target directory' AS problem FROM cwd_user WHERE id IN (%s) AND directory_id <> %d", in, to),
			fmt.Sprintf("SELECT user_id, attribute_name, 'attribute not in the target directory' AS problem FROM cwd_user_attributes WHERE user_id IN (%s) AND directory_id <> %d", in, to),
			fmt.Sprintf("SELECT m.child_id, m.lower_parent_name, 'membership not in the target directory' AS problem FROM cwd_membership m WHERE m.child_id IN (%s) AND m.membership_type = 'GROUP_USER' AND m.directory_id <> %d", in, to),
			fmt.Sprintf("SELECT m.child_id, m.lower_parent_name, 'membership of a group missing from the target directory' AS problem FROM cwd_membership m LEFT JOIN cwd_group g ON g.id = m.parent_id AND g.directory_id = m.directory_id AND g.lower_group_name = m.lower_parent_name WHERE m.child_id IN (%s) AND m.membership_type = 'GROUP_USER' AND g.id IS NULL", in),
			fmt.Sprintf("SELECT u.id, u.lower_user_name, 'user without a key' AS problem FROM cwd_user u LEFT JOIN app_user k ON k.lower_user_name = u.lower_user_name WHERE u.id IN (%s) AND k.user_key IS NULL", in),
		}
	}
	return s, nil
}

func attrIDs(as []Attribute) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = id(a.ID)
	}
	return strings.Join(out, ", ")
}

func (s *Scripts) begin() string {
	if s.Dialect == datacenter.MySQL {
		return "START TRANSACTION;\n"
	}
	return "BEGIN;\n"
}

func script(header, begin string, stmts []Statement) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString(begin)
	user := ""
	for _, st := range stmts {
		if st.User != user && st.User != "" {
			fmt.Fprintf(&b, "-- %s\n", st.User)
		}
		user = st.User
		b.WriteString(st.SQL)
		b.WriteString(";\n")
	}
	b.WriteString("COMMIT;\n")
	return b.String()
}

// MigrateSQL is the migration as one script (a transaction).
func (s *Scripts) MigrateSQL() string {
	return script(s.header+"-- Migration: one transaction; each UPDATE changes exactly the planned rows (check the counts).\n", s.begin(), s.Migrate)
}

// UndoSQL is the undo as one script (a transaction): it restores the rows
// the migration changed to what they were.
func (s *Scripts) UndoSQL() string {
	return script(s.header+"-- Undo: run only after the migration committed; one transaction.\n", s.begin(), s.Undo)
}

// VerifySQL is the verification as one script: after the migration every
// query returns no row.
func (s *Scripts) VerifySQL() string {
	var b strings.Builder
	b.WriteString(s.header)
	b.WriteString("-- Verification: after the migration, every query returns no row.\n")
	for _, v := range s.Verify {
		b.WriteString(v)
		b.WriteString(";\n")
	}
	return b.String()
}
