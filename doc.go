// Package seatwarden is the root of Seatwarden: a Go library that manages
// the users and licences of Jira Data Center and Jira Cloud automatically.
//
// Jira admins pay for every seat; inactive accounts waste money and are a
// security risk. Seatwarden reads a site's users, selects some with a
// criterion written as an expression, plans what to do with them
// (deactivate, remove groups or licences, …) with exemptions and
// blast-radius limits, applies the plan through rate-limited, retrying
// clients with a resumable journal, and reports what it did.
//
// The packages, from the leaf up:
//
//   - [github.com/seatwarden/seatwarden/jira]: the model (users, groups,
//     flavours, identities) and typed errors; standard library only.
//   - [github.com/seatwarden/seatwarden/jira/datacenter] and
//     [github.com/seatwarden/seatwarden/jira/cloud]: the REST clients (Jira
//     DC REST v2; Jira Cloud REST v3 and the Atlassian Admin API), with one
//     flavour-neutral surface.
//   - [github.com/seatwarden/seatwarden/jira/jiratest]: a fake Jira (Data
//     Center, Cloud and the Admin API) that behaves like Jira on the wire,
//     with generated organisations, rate limits and faults.
//   - [github.com/seatwarden/seatwarden/criteria]: the expression language
//     that selects users, with per-user explanations.
//   - [github.com/seatwarden/seatwarden/actions]: actions, exemptions and
//     protections, deterministic dry-run plans, apply with a resumable
//     journal, undo.
//   - [github.com/seatwarden/seatwarden/report]: the report of a run and
//     its sinks — JSON-lines run log, CSV, slog, HTML page, Jira comment;
//     standard library only, so a program that writes run logs links
//     nothing heavy.
//   - [github.com/seatwarden/seatwarden/report/history]: the history store
//     (runs, daily snapshot summaries, plans awaiting approval, last runs)
//     on SQLite, behind interfaces a PostgreSQL store can implement.
//   - [github.com/seatwarden/seatwarden/report/insights]: user levels over
//     time, licences against tiers, simulations and their charts
//     (gonum/plot), shown by the HTML page and the email.
//   - [github.com/seatwarden/seatwarden/report/email]: the email sink.
//   - [github.com/seatwarden/seatwarden/schedule]: cron schedules (the one
//     parser, which policy files use too), the in-process runner, locks
//     for replicas.
//   - [github.com/seatwarden/seatwarden/usermgmt]: policy files as data
//     (File) compiled into immutable PolicySets; the Manager, a pipeline of
//     explicit values over snapshot → plan → apply → report (Plan returns
//     its snapshot; Apply, Run and Undo take options structs whose zero
//     value is the dry run); one client and shared snapshots per site
//     (Clients); and Approvals, the approval workflow (record, file the
//     issue, resolve by webhook or polling, claim once, apply, comment,
//     cancel, recover) over report/history's PlanStore, used by the server,
//     the cron daemon and any Go program.
//
// The programs in examples/ embed them: cli (with a demo on an embedded
// fake), server (the HTTP service with approvals), cron (the daemon) and
// fakejira (the fake as a program); the server and the daemon keep only
// their transport (HTTP, authentication, webhooks; schedules) around
// usermgmt. This package itself holds no code.
package seatwarden
