// Command demo is the README's first step: an embedded fake Jira with
// 1,000 generated users, the example policy inactive-90-days.yaml
// planned, refused by its blast-radius limit, applied with a recorded
// reason, and reported (HTML with charts, JSON lines, CSV, the journal).
// No network, no credentials.
//
//	go run ./examples/demo [--flavor cloud] [--dir DIR]
//
// It is the CLI's 'demo' command (examples/cli) in a program of its own,
// which links neither SQLite nor the database drivers the CLI needs for
// JIRA_DB_DSN and 'migrate': on a fresh clone it compiles in a fraction
// of the CLI's time (README, "A 5-minute tour").
package main
