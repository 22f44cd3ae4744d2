package datacenter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Dialect is the SQL dialect of Jira's database.
type Dialect string

// The databases Jira DC runs on. [LoginQueryFor] and [SQLLoginSource]
// are tested against real PostgreSQL and MariaDB servers; the SQL Server
// and Oracle queries follow those databases' documentation and are not
// tested here.
const (
	PostgreSQL Dialect = "postgres"
	MySQL      Dialect = "mysql" // MySQL 8 and MariaDB 10.2+ (window functions)
	SQLServer  Dialect = "sqlserver"
	Oracle     Dialect = "oracle"
)

// createdMillis is each dialect's expression for cwd_user.created_date as
// epoch milliseconds. PostgreSQL, SQL Server and Oracle store a time zone
// (or UTC); MySQL's datetime has none and is read as UTC.
var createdMillis = map[Dialect]string{
	PostgreSQL: "CAST(EXTRACT(EPOCH FROM u.created_date) * 1000 AS BIGINT)",
	MySQL:      "CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', u.created_date) DIV 1000 AS SIGNED)",
	SQLServer:  "DATEDIFF_BIG(millisecond, '1970-01-01', u.created_date)",
	Oracle:     "ROUND((CAST(SYS_EXTRACT_UTC(u.created_date) AS DATE) - DATE '1970-01-01') * 86400000)",
}

// loginQuery is LoginQueryFor for a dialect known to exist.
func loginQuery(d Dialect) string {
	q, err := LoginQueryFor(d)
	if err != nil {
		panic(err)
	}
	return q
}

// LoginQueryFor returns a read-only query for Jira DC's database that
// lists, for every user, what the REST API does not send: one row per
// effective user — the user in the active directory with the lowest
// directory_position, as Jira resolves a user name present in several
// directories — with the columns username (lower_user_name), last_login
// and created (epoch milliseconds; last_login empty when the user never
// logged in), login_count and directory (its name). [ReadLogins] reads its
// result saved as CSV; [SQLLoginSource] runs it. It reads cwd_user,
// cwd_directory and cwd_user_attributes (login.lastLoginMillis,
// login.count) and changes nothing.
func LoginQueryFor(d Dialect) (string, error) {
	created, ok := createdMillis[d]
	if !ok {
		return "", fmt.Errorf("datacenter: unknown database dialect %q (want postgres, mysql, sqlserver or oracle)", d)
	}
	return `SELECT username, last_login, login_count, created, directory
  FROM (SELECT u.lower_user_name AS username,
               ll.attribute_value AS last_login,
               lc.attribute_value AS login_count,
               ` + created + ` AS created,
               d.directory_name AS directory,
               ROW_NUMBER() OVER (PARTITION BY u.lower_user_name ORDER BY d.directory_position, d.id) AS rn
          FROM cwd_user u
          JOIN cwd_directory d ON d.id = u.directory_id AND d.active = 1
          LEFT JOIN cwd_user_attributes ll ON ll.user_id = u.id AND ll.attribute_name = 'login.lastLoginMillis'
          LEFT JOIN cwd_user_attributes lc ON lc.user_id = u.id AND lc.attribute_name = 'login.count') effective
 WHERE rn = 1
 ORDER BY username`, nil
}

// SQLLoginSource is a [LoginSource] that runs [LoginQueryFor](dialect)
// on Jira's database each time it is asked, in a read-only transaction.
// The program opens db with the driver it links (pgx for PostgreSQL,
// go-sql-driver/mysql for MySQL and MariaDB; see [OpenLoginDB]); give it
// a database user that may only read those three tables.
func SQLLoginSource(db *sql.DB, dialect Dialect) LoginSource {
	return sqlSource{db: db, dialect: dialect}
}

type sqlSource struct {
	db      *sql.DB
	dialect Dialect
}

// Logins implements [LoginSource].
func (s sqlSource) Logins(ctx context.Context) (map[string]LoginRecord, error) {
	q, err := LoginQueryFor(s.dialect)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("datacenter: login database: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to commit
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("datacenter: login database: %w", err)
	}
	defer rows.Close()
	t := LoginTable{}
	for row := 1; rows.Next(); row++ {
		var name string
		var last, count, dir sql.NullString
		var created sql.NullInt64
		if err := rows.Scan(&name, &last, &count, &created, &dir); err != nil {
			return nil, fmt.Errorf("datacenter: login database: row %d: %w", row, err)
		}
		lr := LoginRecord{LastLogin: jira.NeverLoggedIn(), Directory: dir.String}
		if v := strings.TrimSpace(last.String); v != "" {
			ms, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("datacenter: login database: row %d (%s), column last_login: %q is not epoch milliseconds", row, name, v)
			}
			lr.LastLogin = jira.LoggedInAt(time.UnixMilli(ms).UTC())
		}
		if v := strings.TrimSpace(count.String); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("datacenter: login database: row %d (%s), column login_count: %q is not a count", row, name, v)
			}
			lr.LoginCount = &n
		}
		if created.Valid {
			lr.Created = time.UnixMilli(created.Int64).UTC()
		}
		t[strings.ToLower(name)] = lr
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("datacenter: login database: %w", err)
	}
	return t, nil
}

// OpenLoginDB opens Jira's database from a DSN whose scheme names it:
// postgres://user:password@host:5432/jira (driver "pgx") or
// mysql://user:password@tcp(host:3306)/jira (also mariadb://; driver
// "mysql", the rest being go-sql-driver/mysql's DSN). The drivers are not
// linked by this package: a program imports
// github.com/seatwarden/seatwarden/jira/datacenter/logindb (or the drivers
// themselves) to register them. Errors never show the password.
func OpenLoginDB(dsn string) (*sql.DB, Dialect, error) {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return nil, "", errors.New("datacenter: login database DSN: want postgres://… or mysql://…")
	}
	var driver, source string
	var d Dialect
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		driver, source, d = "pgx", dsn, PostgreSQL
	case "mysql", "mariadb":
		driver, source, d = "mysql", rest, MySQL
	default:
		return nil, "", fmt.Errorf("datacenter: login database DSN: scheme %q: want postgres or mysql", scheme)
	}
	if !registered(driver) {
		return nil, "", fmt.Errorf("datacenter: login database: the %s driver is not linked into this program; "+
			"import _ \"github.com/seatwarden/seatwarden/jira/datacenter/logindb\"", driver)
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, "", fmt.Errorf("datacenter: login database (%s): cannot open the DSN", d)
	}
	return db, d, nil
}

func registered(driver string) bool {
	for _, d := range sql.Drivers() {
		if d == driver {
			return true
		}
	}
	return false
}

// DSNLoginSource is a [LoginSource] over the database a DSN names (see
// [OpenLoginDB]), opened on first use and kept.
func DSNLoginSource(dsn string) (LoginSource, error) {
	db, d, err := OpenLoginDB(dsn)
	if err != nil {
		return nil, err
	}
	return SQLLoginSource(db, d), nil
}
