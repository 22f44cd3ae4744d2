// Package postgres is the PostgreSQL implementation of report/history's
// interfaces, for several replicas of the server or the daemon that share
// one history: [Store] is a history.Store, a history.PlanStore and a
// schedule.LastRuns, through jackc/pgx/v5 in database/sql mode (driver
// "pgx"). Only a program that imports this package links pgx.
//
// The schema has the SQLite store's versions — v1 runs, outcomes and
// snapshots; v2 the per-bucket and per-application counts as rows
// (snapshot_counts); v3 plans and events — with PostgreSQL's types
// (timestamptz, date, jsonb, boolean). [Open] migrates to the newest
// version, each migration in a transaction under an advisory lock, so
// that replicas starting together migrate once; the version is the one
// row of table seatwarden_schema. A database written by a newer version
// is refused ([history.ErrSchemaTooNew]). The tables go to the first
// schema of the connection's search_path (a search_path parameter in the
// URL chooses another).
//
// Claims are atomic across replicas: [Store.UpdatePlan] reads the plan
// with SELECT … FOR UPDATE and moves it in the same transaction, so of
// several replicas claiming one approved plan exactly one wins;
// [Store.FirstEvent] is an INSERT … ON CONFLICT DO NOTHING.
//
// Times are kept to the microsecond (PostgreSQL's precision; the SQLite
// store keeps nanoseconds). Text holding a NUL byte cannot be stored.
//
// Package schedule/pglock's Locker takes advisory locks on the same
// database: pass it [Store.DB].
package postgres
