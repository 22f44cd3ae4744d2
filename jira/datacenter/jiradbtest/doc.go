// Package jiradbtest holds Jira Data Center's user tables as a test
// fixture for real PostgreSQL and MariaDB servers: the DDL of the
// directory, user, attribute, group, membership, user-key, id-sequence and
// cluster tables ([Schema]), a fresh schema or database per test from the
// DSNs .ci/run exports ([Open]), and a dump of those tables for comparing
// a database before and after ([Dump]).
//
// Without a DSN a test skips, except in CI (CI=true), where it fails. The
// program that uses it links the database drivers itself (import
// github.com/seatwarden/seatwarden/jira/datacenter/logindb in the test).
package jiradbtest
