// Package store holds the history's interfaces and records — [Store],
// [PlanStore], [PlanRecord], [PlanStatus], [Sink] and their errors —
// without a database driver, so that a program that uses a history
// without opening one (usermgmt's Manager and approvals, the CLI) links
// no SQLite. Package report/history implements them on SQLite and
// re-exports every name here, so that its users need not import this
// package; report/history/postgres implements them on PostgreSQL.
package store
