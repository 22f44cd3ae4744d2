// Package replicas tests several replicas of the cron daemon
// (examples/cron) and of the server (examples/server) sharing one
// PostgreSQL history, as they run in production: the programs are built,
// the fake Jira (examples/fakejira) runs in its own process, and each test
// has its own schema in the database that SEATWARDEN_TEST_POSTGRES_DSN
// names. Without that variable, or with no database reachable there, the
// tests are skipped (and fail when CI=true); .ci/run starts PostgreSQL and
// sets it.
//
// The tests count what was done in two places: the runs in the history,
// and the writes in the fake's request log (GET /_fake/stats).
package replicas
