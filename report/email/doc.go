// Package email is the email sink of report: [Sink] sends a run's report
// through SMTP (wneessen/go-mail; STARTTLS by default) to addresses and to
// Jira groups, resolved through [GroupMembers] — which both clients have —
// to their active members' emails (Cloud hides some: those are logged and
// skipped). The message has a plain-text part, an HTML part (the report's
// page, with each insights chart as a PNG referenced by Content-ID: mail
// clients show no SVG), and the outcomes CSV attached. The SMTP password is
// a jira.Secret and never appears in a log or an error.
package email
