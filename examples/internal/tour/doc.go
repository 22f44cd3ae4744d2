// Package tour is the README's first step, shared by 'go run
// ./examples/demo' (a small program that compiles quickly: no SQLite, no
// database drivers) and the CLI's 'demo' command: an embedded fake Jira
// with a generated organisation, the example policy inactive-90-days.yaml
// planned, refused by its limit, applied with a recorded reason, and
// reported.
package tour
