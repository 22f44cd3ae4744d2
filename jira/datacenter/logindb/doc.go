// Package logindb links the database drivers that
// [github.com/seatwarden/seatwarden/jira/datacenter.OpenLoginDB] and [github.com/seatwarden/seatwarden/jira/datacenter.DSNLoginSource] need to read
// last logins from Jira DC's own database: pgx (PostgreSQL, driver name
// "pgx") and go-sql-driver/mysql (MySQL and MariaDB, driver name
// "mysql"). Import it for its side effect in the program that reads a
// login database, and only there, so that nothing else pays for the
// drivers:
//
//	import _ "github.com/seatwarden/seatwarden/jira/datacenter/logindb"
//
// Its tests run the login query and SQL login source of jira/datacenter
// against real PostgreSQL and MariaDB servers holding Jira's tables (see
// the package's tests and .ci/run).
package logindb

import (
	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)
