// Package dirmove moves Jira Data Center users from one user directory to
// another — an LDAP being retired, two directories merged — as a planned,
// reviewed, verified and reversible change to Jira's database.
//
// Jira's REST API cannot do it: a user, its attributes (last login, login
// count) and its local group memberships belong to one directory
// (cwd_user.directory_id, cwd_user_attributes, cwd_membership), and
// POST /rest/api/2/user has no directory. Atlassian's knowledge-base
// articles ("Migrating users between user directories", "Move local group
// memberships between directories") do it with SQL while Jira is stopped,
// and warn that it is unsupported and must be tried on staging first.
// This package does the same, with checks a hand-run script lacks:
//
//   - [Inspect] reads the directories, the users to move, their attributes
//     and memberships, and what the target already holds; [NewPlan] turns
//     that into a [Plan]: which users move (each with its reason), which
//     memberships are re-created in the target (groups created there when
//     missing, or mapped by a table), and what is refused — a name the
//     target already has (a [Conflict], with both records, left
//     untouched), a read-only target (users of a read-only LDAP come from
//     LDAP), the account the tool runs as.
//   - [Render] writes the plan as SQL for PostgreSQL or MySQL/MariaDB: the
//     migration in one transaction, a verification script that returns
//     rows only when something is wrong, and an undo script that restores
//     the previous rows exactly. Rows keep their ids, so user keys
//     (app_user, per name), attributes and memberships survive.
//   - [Apply] checks that Jira is not running ([CheckStopped]: a cluster
//     node heartbeat or a held cluster lock within a recent window
//     refuses), re-reads the database and refuses a plan it no longer
//     matches (a plan file is input, not authority), runs exactly the
//     rendered statements in one transaction checking each one's row
//     count, verifies user by user before committing, and writes a
//     journal. [Undo] does the same with the undo statements.
//   - Where Jira allows it — the target is the first writable directory
//     and comes before the source — [Request].Online moves users through
//     the REST API instead ([ApplyOnline]): a same-named user created in
//     the target shadows the old account and keeps its key, its groups are
//     copied, and GET /rest/api/2/user/duplicated/list verifies it. The
//     plan says, per user, which way it goes and why.
//
// The package links no database driver: a program imports
// github.com/seatwarden/seatwarden/jira/datacenter/logindb (pgx and
// go-sql-driver/mysql) and opens the database with
// [github.com/seatwarden/seatwarden/jira/datacenter.OpenLoginDB].
package dirmove
