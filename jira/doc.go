// Package jira is Seatwarden's model of a Jira site, shared by every other
// package: [User], [Group], [Flavor], [UserRef], and the typed errors the
// clients return. It imports only the standard library, so a program that
// needs the model pays for nothing else.
//
// # Flavours and identity
//
// Jira Data Center (REST v2) addresses users by key (immutable) and name
// (the login, which can be renamed); Jira Cloud (REST v3 and the Atlassian
// Admin API) by accountId. A [User] carries every identity it has; a
// [UserRef] is built by [AccountID], [Username] or [UserKey] and knows its
// flavour, so a client refuses a reference of the wrong flavour with
// [ErrWrongFlavor] before any request.
//
// # Last login
//
// [LastLogin] has three states: a time, never, and unknown. A site that does
// not report last login (Jira DC before 10, or a Cloud site without the
// Admin API) gives unknown, which must never be read as never.
//
// # Errors
//
// A response with an error status becomes an [*APIError] that keeps Jira's
// errorMessages and errors; a rate limit that outlasted the retries becomes
// a [*RateLimitError]. Both match the sentinels ([ErrNotFound],
// [ErrUnauthorized], [ErrForbidden], [ErrRateLimited], …) through
// [errors.Is]. URLs in errors are redacted; no credential ever appears in an
// error.
//
// The fake Jira that everything is tested against is in [jira/jiratest].
package jira
