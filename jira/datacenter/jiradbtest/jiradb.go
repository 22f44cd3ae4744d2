package jiradbtest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seatwarden/seatwarden/jira/datacenter"
)

// The environment variables holding the test servers' DSNs (.ci/databases
// exports them).
const (
	PostgresEnv = "SEATWARDEN_TEST_POSTGRES_DSN"
	MySQLEnv    = "SEATWARDEN_TEST_MYSQL_DSN"
)

// Schema returns Jira's DDL for its user tables in dialect d, as Jira's
// entity model defines them (numeric(18,0) ids, varchar names, timestamps
// with a zone on PostgreSQL and datetime on MySQL) with Jira's unique
// indexes: a user name and a group name are unique per directory, a
// membership per parent, child and type.
func Schema(d datacenter.Dialect) []string {
	num, ts := "numeric(18,0)", "timestamp with time zone"
	if d == datacenter.MySQL {
		num, ts = "decimal(18,0)", "datetime"
	}
	r := strings.NewReplacer("NUM", num, "TS", ts)
	return []string{
		r.Replace(`CREATE TABLE cwd_directory (id NUM NOT NULL PRIMARY KEY, directory_name varchar(255), lower_directory_name varchar(255),
			created_date TS, updated_date TS, active numeric(9,0), description varchar(255), impl_class varchar(255),
			lower_impl_class varchar(255), directory_type varchar(60), directory_position NUM)`),
		r.Replace(`CREATE TABLE cwd_directory_operation (id NUM NOT NULL PRIMARY KEY, directory_id NUM, operation_type varchar(60))`),
		r.Replace(`CREATE TABLE cwd_user (id NUM NOT NULL PRIMARY KEY, directory_id NUM, user_name varchar(255), lower_user_name varchar(255),
			active numeric(9,0), created_date TS, updated_date TS, first_name varchar(255), lower_first_name varchar(255),
			last_name varchar(255), lower_last_name varchar(255), display_name varchar(255), lower_display_name varchar(255),
			email_address varchar(255), lower_email_address varchar(255), credential varchar(255), deleted_externally numeric(9,0),
			external_id varchar(255))`),
		r.Replace(`CREATE TABLE cwd_user_attributes (id NUM NOT NULL PRIMARY KEY, user_id NUM, directory_id NUM,
			attribute_name varchar(255), attribute_value varchar(255), lower_attribute_value varchar(255))`),
		r.Replace(`CREATE TABLE cwd_group (id NUM NOT NULL PRIMARY KEY, group_name varchar(255), lower_group_name varchar(255),
			active numeric(9,0), local numeric(9,0), created_date TS, updated_date TS, description varchar(255),
			lower_description varchar(255), group_type varchar(60), directory_id NUM, external_id varchar(255))`),
		r.Replace(`CREATE TABLE cwd_membership (id NUM NOT NULL PRIMARY KEY, parent_id NUM, child_id NUM, membership_type varchar(60),
			group_type varchar(60), parent_name varchar(255), lower_parent_name varchar(255), child_name varchar(255),
			lower_child_name varchar(255), directory_id NUM)`),
		r.Replace(`CREATE TABLE app_user (id NUM NOT NULL PRIMARY KEY, user_key varchar(255), lower_user_name varchar(255))`),
		r.Replace(`CREATE TABLE sequence_value_item (seq_name varchar(60) NOT NULL PRIMARY KEY, seq_id NUM)`),
		r.Replace(`CREATE TABLE clusternode_heartbeat (node_id varchar(60) NOT NULL PRIMARY KEY, heartbeat_time NUM, database_time NUM)`),
		r.Replace(`CREATE TABLE clusterlockstatus (id NUM NOT NULL PRIMARY KEY, lock_name varchar(255), locked_by_node varchar(60), update_time NUM)`),
		`CREATE UNIQUE INDEX uk_user_name_dir_id ON cwd_user (lower_user_name, directory_id)`,
		`CREATE INDEX idx_user_attr_dir_name_lval ON cwd_user_attributes (directory_id, attribute_name, lower_attribute_value)`,
		`CREATE UNIQUE INDEX uk_group_name_dir_id ON cwd_group (lower_group_name, directory_id)`,
		`CREATE UNIQUE INDEX uk_mem_parent_child_type ON cwd_membership (parent_id, child_id, membership_type)`,
		`CREATE INDEX idx_mem_dir_child ON cwd_membership (lower_child_name, membership_type, directory_id)`,
		`CREATE UNIQUE INDEX uk_user_key ON app_user (user_key)`,
		`CREATE UNIQUE INDEX uk_lower_user_name ON app_user (lower_user_name)`,
	}
}

// Tables are the tables [Schema] creates, in the order [Dump] writes them.
var Tables = []string{"cwd_directory", "cwd_directory_operation", "cwd_user", "cwd_user_attributes", "cwd_group",
	"cwd_membership", "app_user", "sequence_value_item", "clusternode_heartbeat", "clusterlockstatus"}

// Open returns a connection to a fresh, empty schema (PostgreSQL) or
// database (MariaDB) of the test server of dialect d, dropped when the
// test ends. Without the DSN it skips the test, or fails it when CI=true.
func Open(t testing.TB, d datacenter.Dialect) *sql.DB {
	t.Helper()
	env := PostgresEnv
	if d == datacenter.MySQL {
		env = MySQLEnv
	}
	base := os.Getenv(env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the database tests (.ci/run starts the databases)", env)
		}
		t.Skipf("%s is not set: no database to test against (.ci/run starts PostgreSQL and MariaDB and sets it)", env)
	}
	admin, got, err := datacenter.OpenLoginDB(base)
	if err != nil {
		t.Fatal(err)
	}
	if got != d {
		t.Fatalf("%s names a %s database, want %s", env, got, d)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("sw_%d_%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	dsn := ""
	if d == datacenter.PostgreSQL {
		if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE") })
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + name
	} else {
		if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP DATABASE "+name) })
		i := strings.Index(base, ")/")
		if i < 0 {
			t.Fatalf("%s: a MySQL DSN names its address as tcp(host:port)/", env)
		}
		rest := base[i+2:]
		if q := strings.IndexByte(rest, '?'); q >= 0 {
			rest = rest[q:]
		} else {
			rest = ""
		}
		dsn = base[:i+2] + name + rest
	}
	db, _, err := datacenter.OpenLoginDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, stmt := range Schema(d) {
		if _, err := db.ExecContext(context.Background(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return db
}

// OpenDSN is [Open], also returning the DSN of the fresh schema or
// database, for a program run in another process.
func OpenDSN(t testing.TB, d datacenter.Dialect) (*sql.DB, string) {
	t.Helper()
	db := Open(t, d)
	return db, lastDSN(t, db, d)
}

func lastDSN(t testing.TB, db *sql.DB, d datacenter.Dialect) string {
	t.Helper()
	env := PostgresEnv
	if d == datacenter.MySQL {
		env = MySQLEnv
	}
	base := os.Getenv(env)
	var name string
	q := "SELECT current_schema()"
	if d == datacenter.MySQL {
		q = "SELECT DATABASE()"
	}
	if err := db.QueryRowContext(context.Background(), q).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if d == datacenter.PostgreSQL {
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + "search_path=" + name
	}
	i := strings.Index(base, ")/")
	rest := base[i+2:]
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		rest = rest[q:]
	} else {
		rest = ""
	}
	return base[:i+2] + name + rest
}

// Dump writes every row of tables (all of [Tables] when none), ordered by
// their first column, one line a row with each value as the database
// returns it as text: two dumps are equal when the rows are.
func Dump(ctx context.Context, db *sql.DB, tables ...string) (string, error) {
	if len(tables) == 0 {
		tables = Tables
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+table+" ORDER BY 1")
		if err != nil {
			return "", fmt.Errorf("dump %s: %w", table, err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "== %s (%s)\n", table, strings.Join(cols, ", "))
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", fmt.Errorf("dump %s: %w", table, err)
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteString(" | ")
				}
				if v.Valid {
					b.WriteString(v.String)
				} else {
					b.WriteString("NULL")
				}
			}
			b.WriteByte('\n')
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return "", fmt.Errorf("dump %s: %w", table, err)
		}
	}
	return b.String(), nil
}
