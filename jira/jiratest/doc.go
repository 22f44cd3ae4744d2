// Package jiratest is a fake Jira, in the manner of net/http/httptest: Jira
// Data Center (REST v2), Jira Cloud (REST v3) and the Atlassian Admin API,
// in memory, behaving like Jira on the wire — the same paths, parameters,
// page shapes and limits, field names, status codes, error bodies
// ({"errorMessages":[],"errors":{}}), rate-limit headers and quirks.
// Everything in Seatwarden is tested against it, and programs that embed
// Seatwarden can test their own code against it too.
//
// # Starting one
//
// In a test, [NewServer] listens on a loopback port and closes when the
// test ends:
//
//	s := jiratest.NewServer(t, jiratest.WithFlavor(jira.Cloud),
//		jiratest.WithOrg(jiratest.GenerateOrg(jiratest.OrgOptions{Seed: 1, Users: 5000})))
//	resp, err := http.Get(s.URL + "/rest/api/3/serverInfo")
//
// [New] builds one without a listener: use it as an [http.Handler], start
// it with [Server.Start] (the examples/fakejira program does), or reach it
// with no socket at all through [Server.Transport] or [Server.Client]. The
// in-memory transport is what makes tests of time-based code (backoff,
// rate limits) possible under testing/synctest, where network I/O would not
// be durably blocking.
//
// # Flavours
//
// [WithFlavor] chooses [jira.DataCenter] (the default) or [jira.Cloud]. A DC
// fake emulates Jira DC 10.3 by default; [WithDCVersion] emulates an older
// server — before 10 there is no lastLoginTime in user JSON and no GET
// /rest/api/2/user/list. A Cloud fake also serves the Atlassian Admin API
// (/admin/v1/..., /admin/v2/orgs/{orgId}/..., /users/{accountId}/manage/...)
// on the same host, so a client points its admin base URL at the fake.
// [Server.Routes] lists every route served.
//
// # Credentials
//
// DC accepts Basic admin:admin and the personal access token demo-token
// (Bearer); Cloud accepts Basic admin@example.com:demo-token; the Admin API
// accepts Bearer demo-org-key for the organisation demo-org. The
// administrator exists on the site, in the administrators groups. Change
// them with [WithCredentials]; give other users a password (DC) or API
// token (Cloud) through [UserSpec].Password or [Server.SetPassword], and DC
// users more tokens with [Server.AddToken]. Missing or wrong credentials get
// 401 with Jira's body; a user who is not an administrator gets 403 on
// administrators' routes; an inactive user cannot authenticate.
//
// # State and semantics
//
// The fake keeps state, not echoes: a deactivated user is inactive in every
// later response (and listed only with includeInactive); group membership
// changes show in group/member and in expand=groups; leaving a licence group
// changes the application role's userCount; adding a DC user to a group it
// is already in gives 400; deleting a project lead, or writing to a user of
// a read-only directory, fails as Jira does; issue transitions change the
// status and fire the registered webhooks (jira:issue_updated with
// changelog.items), and creating a user fires user_created. Bad requests —
// malformed JSON, missing parameters, unknown users and groups — get Jira's
// status and error body and change nothing.
//
// Inspect the state with [Server.User], [Server.Users], [Server.Groups],
// [Server.GroupMembers], [Server.SeatsUsed], [Server.Issue] and
// [Server.Deliveries]; seed it with [WithOrg], [Server.Load],
// [Server.AddUser] and [Server.AddGroup]; act as a person would with
// [Server.SetLastLogin] and [Server.Transition].
//
// # Organisations
//
// [GenerateOrg] makes a realistic organisation from a seed and a size:
// directories (on DC a read-only LDAP directory beside the internal one),
// licence groups, administrators, departments and contractors, several
// email domains, Cloud app and customer accounts, users created over
// several years with a realistic spread of last logins (never, years,
// months, days ago), some already inactive, user properties and login
// counts. The same seed gives the same organisation on both flavours, with
// the same emails, so DC users can be matched to Cloud accounts.
//
// # Rate limits, faults and latency
//
// [WithRateLimit] turns on a token bucket per caller. DC answers every
// response with X-RateLimit-Limit, -Remaining, -Interval-Seconds and
// -FillRate and Retry-After, which is in whole seconds and so 0 when the
// next token is less than a second away — also on a 429, a quirk real
// servers show. Cloud answers 429 with Retry-After, X-RateLimit-Reset (ISO
// 8601, minutes) and RateLimit-Reason: jira-burst-based, and adds
// X-RateLimit-NearLimit: true to successes when less than 20% is left.
//
// [Server.SetFaults] makes a route (or every route) fail at random with
// statuses (429, 500, 502, 503), HTML error pages, or dropped connections
// (before or after the request is served); [Server.Script] makes the next
// requests fail in a given order. Random faults are deterministic under
// [WithSeed]. [WithLatency] delays every response. Rate limiting and faults
// are off unless asked for.
//
// # Inspection for tests and tools
//
// [Server.Count], [Server.Stats] and [Server.Requests] report the requests
// received per route ("METHOD /path" as in [Server.Routes]). Black-box
// tools get the same over HTTP: GET /_fake/stats answers
// {"total":N,"routes":{"GET /rest/api/2/user":12,…}} and POST
// /_fake/stats/reset clears it; neither needs credentials.
//
// # Deliberate deviations
//
// Real Jira ignores query parameters it does not know; the fake answers
// them with 400 naming the parameter, which catches misspelt parameters in
// clients ([WithLenientParams] turns this off). The fake's one workflow
// (Open → Waiting for approval → Approved/Rejected → Closed) stands for any
// project's workflow. Webhook JQL filters are understood only in the forms
// "project = KEY" and "project in (A, B)"; others match every issue.
// Wording of error messages follows Jira where known; clients must not parse
// it. What the fake does not emulate is listed in the README.
package jiratest
