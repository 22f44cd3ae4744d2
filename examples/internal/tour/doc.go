// Package tour is the README's first step, the CLI's 'demo' command: an
// embedded fake Jira with a generated organisation, the example policy
// inactive-90-days.yaml planned, refused by its limit, applied with a
// recorded reason, and reported. It is a package of its own so that a
// smaller program can run the same tour.
package tour
