// Package history keeps what Seatwarden did and saw, so that runs and
// user levels can be compared over time and plans can wait for approval
// across restarts: runs with their step results, one
// report.SnapshotSummary per site and day, plans with their approval
// state, and the webhook deliveries already handled.
//
// [Store] is the history of runs and snapshots; [PlanStore] the plans and
// events, whose [PlanStore.UpdatePlan] is a compare-and-set so that a
// webhook, a polling loop and an API call claim a plan exactly once;
// [SQLite.LastRun] makes the store a schedule.LastRuns, which the
// scheduler reads to catch up a run missed while the program was down.
// [Sink] saves each run of a report fan-out.
//
// [SQLite] is the embedded implementation of all three: one file, pure Go
// (modernc.org/sqlite, no cgo), WAL mode. The schema's versions are
// migrations applied in order, each in a transaction, the version kept in
// PRAGMA user_version; a file written by a newer version is refused
// ([ErrSchemaTooNew]). v2 moved the per-bucket and per-application counts
// into rows (snapshot_counts); v3 added plans and events; v4 the on-login
// trigger's checks and per-user last logins ([LoginStore]).
//
// The second implementation is package
// [github.com/seatwarden/seatwarden/report/history/postgres]: one
// PostgreSQL database shared by several replicas of the server or daemon,
// with the same schema versions. Both pass the checks of package
// [github.com/seatwarden/seatwarden/report/history/historytest]. Package
// [github.com/seatwarden/seatwarden/report/history/historydb] opens
// either by URL (sqlite:///path, a path, postgres://…). The plan store is
// here for now: a later step moves it into usermgmt's approval component.
//
// This package links the SQLite driver (about 5 MB more binary); a program
// that only writes run logs imports report alone.
package history
