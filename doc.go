// Package seatwarden is the root of Seatwarden: a Go library that manages
// the users and licences of Jira Data Center and Jira Cloud automatically.
//
// Jira admins pay for every seat; inactive accounts waste money and are a
// security risk. Seatwarden reads a site's users, selects some with a
// criterion written as an expression, plans what to do with them (deactivate,
// remove groups or licences, …) with exemptions and blast-radius limits,
// applies the plan through rate-limited, retrying clients with a resumable
// journal, and reports what it did.
//
// The packages, from the leaf up:
//
//   - [github.com/seatwarden/seatwarden/jira]: the model (users, groups,
//     flavours, identities) and typed errors; standard library only.
//   - [github.com/seatwarden/seatwarden/jira/jiratest]: a fake Jira (Data
//     Center, Cloud and the Atlassian Admin API) that behaves like Jira on
//     the wire, with generated organisations, rate limits and faults; the
//     program examples/fakejira serves it.
//
// This package itself holds no code.
package seatwarden
