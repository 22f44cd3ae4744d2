// Command server (examples/server) is an HTTP service over package
// usermgmt: a JSON API to list users, plan policies and apply the plans,
// list runs and undo them; the live insights report; and the approval
// flow — a plan of a policy with an approval opens a Jira issue, and the
// plan is applied when Jira's webhook (or, failing that, polling) says the
// issue was approved. Policies marked when: {onUserCreated: true} run for
// each user Jira's user_created webhook reports; policies with
// when.onLogin, for the users who logged in since their previous check
// (usermgmt.LoginTrigger, on each policy's interval).
//
//	SEATWARDEN_API_TOKEN=… SEATWARDEN_WEBHOOK_SECRET=… \
//	  go run ./examples/server --addr 127.0.0.1:8080 --policies policies.yaml
//	go run ./examples/server --addr 127.0.0.1:0 --demo
//
// The first line on stdout is the base URL and nothing else. The API token
// comes from SEATWARDEN_API_TOKEN or the file --token-file names, never
// from a flag; the webhook secret from SEATWARDEN_WEBHOOK_SECRET. Plans,
// their approval state and runs are kept in the history store
// (--data-dir), so pending approvals survive a restart: a SQLite file for
// one server, or a PostgreSQL database shared by replicas (--history
// postgres://… or SEATWARDEN_HISTORY_URL), where an approved plan is
// claimed once and a plan being applied is locked, so that a replica
// starting meanwhile does not reset it. The approval
// workflow itself is usermgmt.Approvals; this program adds HTTP, the
// bearer token, the webhook's proof, Idempotency-Key on POST routes and
// back-pressure (--max-reads, --max-writes: 429 with Retry-After; Jira's
// own rate limiting is 503 with its Retry-After).
// examples/server/README-section.md documents the routes and the Jira
// setup.
package main
