// Command seatwarden-cron (examples/cron) is a daemon over packages
// usermgmt and schedule: it loads a policy file, runs each scheduled policy
// on its schedule, writes the policies' reports, a journal per applied run
// and the history, and logs JSON through log/slog on stderr.
//
//	go run ./examples/cron --demo
//	go run ./examples/cron --policies policies.yaml                 # dry runs only
//	go run ./examples/cron --policies policies.yaml --apply         # writes to Jira
//	go run ./examples/cron --policies policies.yaml --apply --once  # from cron(8)
//
// Policies are planned and never applied unless --apply is given: without it
// the daemon only reads from Jira, and records dry runs in the history.
// --demo runs against an embedded fake Jira with a generated organisation,
// on schedules of a few seconds, and applies there.
//
// Every log record of a policy's run carries the run's run_id (the ids
// usermgmt gives its plan and apply calls are kept as manager_run_id).
//
// Signals: SIGHUP reloads the policy file — validated in full first; a file
// with problems is refused, its problems logged with their field paths, and
// the policies loaded before keep running. SIGTERM or SIGINT stops
// scheduling, lets running policies finish for the grace period (--grace),
// then cancels them, closes the history and exits 0.
//
// The history is a SQLite file (--history FILE, default
// seatwarden-history.db), locked for one daemon, or a PostgreSQL database
// shared by replicas (--history postgres://… or SEATWARDEN_HISTORY_URL):
// then each policy's run holds an advisory lock on that database
// (schedule/pglock), so that of the replicas whose tick fires one runs the
// policy and the others skip it.
//
// A run missed while the daemon was down (a due time between the policy's
// last run in the history and the start) is run once at start.
//
// Exit codes: 0 done (or stopped by a signal), 1 failed (a policy file
// that does not load, a run that failed with --once), 2 usage, 3 a run
// refused by its blast-radius limit, with --once.
//
// Policies with an approval (with --apply) go through usermgmt.Approvals,
// with the plans kept in the history: a run records its plan pending and
// files the approval issue (a plan identical to one still pending files
// none); every minute (and at the start of each --once invocation) the
// daemon reads the pending plans' issues, applies the approved plans and
// records the rejected ones. A plan a crash left applying is pending again
// at the next start.
//
// Policies with when.onLogin run for the users who logged in since their
// previous check, checked on their interval (usermgmt.LoginTrigger, the
// checks kept in the history); with --once each such policy checks once,
// and a policy with no schedule is not run over every matching user.
package main
