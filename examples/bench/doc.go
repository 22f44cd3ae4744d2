// Command bench (examples/bench) measures what a user feels: the wall
// time, the requests, the requests per user and the share of the site's
// allowed rate of the jobs issue 13's table lists, on Jira Data Center
// and Cloud:
//
//   - list: every user with all groups, licences and last login, written
//     as JSON (what `seatwarden users list --output json` does);
//   - apply: plan then apply the deactivation of --deactivate users (a
//     selection CSV, as a policy file names one);
//   - lifecycle: plan the lifecycle example (examples/policies).
//
// By default it starts a fake Jira (package jiratest) in process, on a
// local port, with a generated organisation of --users users, a rate limit
// of --server-rate requests per second (Jira DC publishes it in its
// X-RateLimit-* headers; Cloud answers 429) and --latency per request.
// With --site it measures a real site instead (credentials from the
// environment, as the CLI takes them), and runs only the scenarios that
// read. Each scenario has --timeout; the program always ends.
//
// Next to each job it prints the cost of the naive script (list the users,
// GET each with expand=groups, write sequentially), computed from the
// same organisation: ⌈users/1000⌉ list pages + one GET per user + one
// write per changed user, each taking the longer of the latency and the
// server's interval between two requests (1/rate).
//
//	go run ./examples/bench --users 2000
//	go run ./examples/bench --users 2000 --rate 50 --flavors cloud
package main
