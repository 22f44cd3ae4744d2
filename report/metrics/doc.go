// Package metrics exposes what Seatwarden does as Prometheus metrics: the
// runs of each policy and their steps, the requests sent to Jira with
// their rate-limit waits and 429s, the snapshots read, the last
// successful run of each policy and the plans waiting for approval.
//
// It is the only package of the module that links the Prometheus client
// (github.com/prometheus/client_golang); the library only reports events
// to it through interfaces of the standard library's kind:
//
//   - [Metrics] is a jira.Observer: give it to the clients
//     (datacenter.WithObserver, cloud.WithObserver, usermgmt Site.Observer)
//     and it counts every attempt and snapshot;
//   - [Metrics.Sink] is a report.Sink: in usermgmt Config.Sinks it counts
//     every run that reaches its report, and its steps;
//   - [Metrics.Begin] and [Metrics.End] count a run that ends without a
//     report (an error, a refusal, a plan left waiting for approval), and
//     only such a run: a run is counted once;
//   - [Options].Pending is read at each scrape for the plans waiting for
//     approval (report/history's PlanStore lists them).
//
// [Metrics.Handler] serves them in the Prometheus text format, with the
// Go runtime's and the process's metrics.
//
// # Metrics
//
//	seatwarden_runs_total{policy,outcome,mode}                 counter   runs ended; outcome succeeded, failed (a step failed), refused, error, pending (approval requested); mode apply or dry-run
//	seatwarden_steps_total{action,outcome}                     counter   steps of the runs, by step kind and outcome (applied, noop, exempt, stale, failed, skipped, refused, planned)
//	seatwarden_last_success_timestamp_seconds{policy}          gauge     when the policy's last run without a failed step finished
//	seatwarden_jira_requests_total{site,method,status}         counter   attempts sent to Jira, retries included; status "none" for no response
//	seatwarden_jira_rate_limited_total{site}                   counter   429 answers
//	seatwarden_jira_rate_limit_waits_total{site,kind}          counter   waits: kind limiter (the client's own limiter held an attempt at least 1 ms) or backoff (after a 429 or 503)
//	seatwarden_jira_rate_limit_wait_seconds_total{site,kind}   counter   the time those waits took
//	seatwarden_snapshot_duration_seconds{site}                 histogram snapshots read to the end
//	seatwarden_snapshot_users{site}                            gauge     users in the last snapshot read to the end
//	seatwarden_snapshot_errors_total{site}                     counter   snapshots that failed
//	seatwarden_approvals_pending                               gauge     plans waiting for approval
//	seatwarden_approvals_oldest_pending_seconds                gauge     age of the oldest of them (0 when none)
//
// Labels take only policy names, step kinds, outcomes, HTTP methods and
// status codes, and the sites' host names: no user, no URL path, no
// secret.
package metrics
