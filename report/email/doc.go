// Package email is the email sink of report: [Sink] sends a run's report
// through SMTP (wneessen/go-mail; STARTTLS by default) to addresses and to
// Jira groups, resolved through [GroupMembers] — which both clients have —
// to their active members' emails (Cloud hides some: those are logged and
// skipped). The message has a plain-text part, an HTML part (the report's
// page, with each insights chart as a PNG referenced by Content-ID: mail
// clients show no SVG), and the outcomes CSV attached. The SMTP password is
// a jira.Secret and never appears in a log or an error.
//
// A program's mail settings are [Settings]: the server from an SMTP URL
// ([ParseURL]: smtp://user@host:587 with STARTTLS required, or
// smtps://user@host:465), the password from an environment variable or a
// file — never a flag or the URL — and the sender. [Flags] defines
// --smtp-url, --smtp-password-file and --mail-from, each falling back on
// its environment variable (SEATWARDEN_SMTP_URL, …); the examples' CLI,
// daemon and server use it.
package email
