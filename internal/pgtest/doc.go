// Package pgtest gives tests a PostgreSQL database to work in: the one
// that .ci/run starts and names in SEATWARDEN_TEST_POSTGRES_DSN, with a
// fresh schema per test. Without the variable a test skips with a
// message, except when CI=true, where it fails: CI must run them.
package pgtest
