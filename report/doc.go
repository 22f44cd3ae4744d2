// Package report ends every run in sinks and in history: a JSON-lines run
// log, CSV exports, slog records, an HTML report with charts, an email
// with the charts inline and the CSV attached, a comment on the approval
// issue — and a history store of runs and daily user counts, from which
// the insights are drawn. It imports jira and actions only; usermgmt
// builds a [Report] from each run ([FromRun]) and hands it to the sinks.
//
//	r := report.FromRun(run, plan)
//	r.Insights, err = report.NewInsights(ctx, report.InsightOptions{Now: now, Users: snapshot, History: days, Plan: plan})
//	err = report.NewFanout(logger, report.JSONLFile("runs.jsonl"), &report.HTML{Path: "report.html"}, email).Write(ctx, r)
//
// # Sinks
//
// A [Sink] has a name and one method, Write(ctx, *Report). The sinks are
// [JSONL] (the run log), [CSV] (outcomes, and optionally the plan and a
// users export), [Slog], [HTML], [Email], [Comment] and [History] (the
// store). [Fanout] writes one report to several sinks in order; a sink
// that fails or panics is logged and returned in a *[SinkError], and the
// sinks after it still run, so a broken mail server never costs the run
// log. The report itself is never changed by a sink.
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
// # CSV
//
// [WriteOutcomesCSV], [WritePlanCSV] and [WriteUsersCSV] (with columns
// chosen from [UserColumns]) write RFC 4180 CSV. Every cell goes through
// [SafeCell]: a cell starting with =, +, -, @, tab or carriage return gets
// a leading apostrophe, so a display name like =HYPERLINK(…) is text, not a
// formula, in Excel, LibreOffice and Google Sheets (OWASP, "CSV
// Injection"). Plain numbers are left alone.
//
// # Email
//
// [Email] sends through SMTP (wneessen/go-mail; STARTTLS by default) to
// addresses and to Jira groups, resolved through [GroupMembers] — which
// both clients have — to their active members' emails (Cloud hides some:
// those are logged and skipped). The message has a plain-text part, an
// HTML part with each chart as a PNG referenced by Content-ID (mail
// clients show no SVG), and the outcomes CSV attached. The SMTP password
// is a jira.Secret and never appears in a log or an error.
//
// # Jira comment
//
// [Comment] comments the run's summary, as plain text, on
// [Report.ApprovalIssue] through a [Commenter]; both clients are
// Commenters (their AddComment), and the fake serves comments on both
// flavours.
//
// # History
//
// A [Store] keeps runs, their step results and one [SnapshotSummary] per
// site and day: people, active, inactive, never logged in, last login
// unknown, active users per last-login [Bucket] (0–30, 31–90, 91–180,
// 181–365 days, 1–2 years, more) and per application. [SQLite] is the
// embedded default: one file, pure Go (modernc.org/sqlite), schema
// versions in PRAGMA user_version, each migration in a transaction; a
// file written by a newer version is refused ([ErrSchemaTooNew]). Schema v2
// moved the per-bucket and per-application counts from JSON columns into
// rows (table snapshot_counts).
//
// # Insights
//
// [NewInsights] computes, and renders with gonum.org/v1/plot as SVG (and
// PNG for email):
//
//   - user levels per week — logged in recently, not for a while, never —
//     as a stacked chart: from the history where a snapshot exists,
//     reconstructed from creation and last-login dates before (see
//     [LevelAt] for what the past can and cannot tell);
//   - licences: seats used per application against the licence tier
//     ([CloudTiers], [DataCenterTiers], or your own [TierTable]), the
//     headroom, and what a plan frees: "Deactivating these 212 users drops
//     jira-software from the 1,000-user tier to the 800-user tier.";
//   - a login-recency histogram;
//   - a simulation ([Simulate]): the active users of the past year had a
//     policy — any [MatcherAt], such as a compiled criterion — run weekly.
//
// # HTML
//
// [WriteHTML] writes one self-contained page: inline CSS, charts as
// inline SVG, no script and nothing fetched, so it opens offline and as
// an attachment. It is also well-formed XML, which its tests check.
package report
