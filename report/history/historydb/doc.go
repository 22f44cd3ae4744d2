// Package historydb opens the history a URL names — the embedded SQLite
// file or a PostgreSQL database shared by replicas — with the
// schedule.Locker that goes with it:
//
//	h, err := historydb.Open(ctx, url) // e.g. from --history or SEATWARDEN_HISTORY_URL
//	if err != nil { … }
//	defer h.Close()
//	runner := schedule.New(schedule.WithLocker(h.Locker), schedule.WithLastRuns(h))
//	// h is also the history.Store of the runs and the history.PlanStore of the approvals.
//
// The URL forms:
//
//	sqlite:///var/lib/seatwarden/history.db   SQLite, absolute path
//	sqlite:history.db                         SQLite, relative path
//	/var/lib/seatwarden/history.db            a plain path: SQLite
//	postgres://user@db.example.com:5432/seatwarden?sslmode=verify-full
//	postgresql://…                            PostgreSQL (any URL pgx accepts)
//
// With PostgreSQL the Locker takes advisory locks on the same database
// (schedule/pglock) and [History.Shared] is true: several replicas may use
// it at once. History is then also a usermgmt.ApprovalLocker
// ([History.LockApproval]): replicas recording the same plan for approval
// file one issue. With SQLite the Locker is a schedule.MemoryLocker: one
// process.
//
// This package links both drivers (SQLite and pgx). A program that only
// ever uses SQLite imports report/history and calls history.OpenSQLite;
// one that only ever uses PostgreSQL imports report/history/postgres.
package historydb
