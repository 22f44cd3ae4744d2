// Package report ends every run in sinks: a JSON-lines run log, CSV
// exports, slog records, an HTML report and a comment on the approval
// issue. It uses the standard library only (besides jira and actions), so
// a program that writes run logs pays for nothing more; what needs a heavy
// library lives in a subpackage of its own:
//
//   - [github.com/seatwarden/seatwarden/report/history]: the history store
//     (runs, snapshot summaries, plans awaiting approval) in SQLite;
//   - [github.com/seatwarden/seatwarden/report/insights]: user levels over
//     time, licence tiers, simulations and their charts (gonum/plot);
//   - [github.com/seatwarden/seatwarden/report/email]: the email sink
//     (go-mail).
//
// usermgmt builds a [Report] from each run ([FromRun]) and hands it to the
// sinks:
//
//	r := report.FromRun(run, plan)
//	r.Insights, err = insights.New(ctx, insights.Options{Now: now, Users: snapshot, History: days, Plan: plan})
//	err = report.NewFanout(logger, report.JSONLFile("runs.jsonl"), &report.HTML{Path: "report.html"}, mail).Write(ctx, r)
//
// # Sinks
//
// A [Sink] has a name and one method, Write(ctx, *Report). The sinks here
// are [JSONL] (the run log), [CSV] (outcomes, and optionally the plan and
// a users export), [Slog], [HTML] and [Comment]; history.Sink and
// email.Sink are the others. [Fanout] writes one report to several sinks
// in order; a sink that fails or panics is logged and returned in a
// *[SinkError], and the sinks after it still run, so a broken mail server
// never costs the run log. The report itself is never changed by a sink.
//
// # Run log
//
// The JSON-lines run log has one object per line: a [StepRecord]
// ("type":"step") per step result, in the run's order, then one
// [RunRecord] ("type":"run") with the counts. Every record carries
// "schema" ([SchemaVersion], now 1), "time" (when the run finished,
// RFC 3339 UTC), "runId" and "planId". A step record has "stepId",
// "user" (key, name, accountId, email, displayName), "policies" (when the
// plan is known), "step" (an actions.StepKind), "target" (group, licence
// or property), "outcome" (an actions.Outcome), "message" and "error".
// Fields are only added within a schema version; testdata/golden holds
// the exact output.
//
// # The programs' JSON documents
//
// The CLI and the HTTP service write a user as a [User] ([NewUser]) and a
// run as a [Run] ([NewRun] from a report, [RunOfSummary] from the
// history), and a plan as its actions.Plan, all through [WriteJSON]
// (indented, no HTML escaping), so that one document reads the same from
// either program. The run log above is a separate, versioned format.
//
// # CSV
//
// [WriteOutcomesCSV], [WritePlanCSV] and [WriteUsersCSV] (with columns
// chosen by name, see [UserColumns] and [Columns]) write RFC 4180 CSV.
// Every cell goes through [SafeCell]: a cell starting with =, +, -, @, tab
// or carriage return gets a leading apostrophe, so a display name like
// =HYPERLINK(…) is text, not a formula, in Excel, LibreOffice and Google
// Sheets (OWASP, "CSV Injection"). Plain numbers are left alone.
//
// # HTML
//
// [WriteHTML] writes one self-contained page: inline CSS, no script and
// nothing fetched, so it opens offline and as an attachment. It is also
// well-formed XML, which its tests check. It shows the run's outcomes
// and the steps that need attention, then — when [Report.Insights] is set
// — the sections an [Insights] renders (report/insights: the site's
// users, licences and charts as inline SVG). [WriteEmailHTML] is the same
// page for email, whose images are referred to by Content-ID.
//
// # Jira comment
//
// [Comment] comments the run's summary, as plain text, on
// [Report.ApprovalIssue] through a [Commenter]; both clients are
// Commenters (their AddComment), and the fake serves comments on both
// flavours.
//
// # Shared data
//
// [SnapshotSummary] (made by [Summarize]) is what the history keeps of a
// day's snapshot of a site — people, active, inactive, never logged in,
// last login unknown, active users per last-login [Bucket] and per
// application — and what the insights draw levels from; [RunSummary] is a
// run as the history lists it. They live here so that history and
// insights share them without depending on each other.
package report
