// Package jiratest is a fake Jira, in the manner of net/http/httptest: Jira
// Data Center (REST v2), Jira Cloud (REST v3 and v2) and the Atlassian Admin API,
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
// fake emulates Jira DC 10.3 by default; [WithDCVersion] emulates 9.12,
// 10.0 to 10.2, 10.3 or 11.0 with that release's routes and limits (no
// lastLoginTime before 10, GET /user/list from 10.3, user/search limited
// to the first 100 results from 10, the webhooks REST moved to
// /rest/jira-webhook/1.0 in 10, Basic authentication off in 11). A Cloud fake also serves the Atlassian Admin API
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
// changelog.items), comments (GET and POST issue/{key}/comment: a string
// on DC, an ADF document on Cloud) fire comment_created, and creating a
// user fires user_created. Bad requests —
// malformed JSON, missing parameters, unknown users and groups — get Jira's
// status and error body and change nothing.
//
// On DC the site's directories are in priority order (the internal one
// first, then [Org].Directories). POST /user creates a user in the first
// writable directory; a name that exists only in a later directory is
// created anyway and shadows the old account, which keeps nothing visible
// but GET /user/duplicated/list (and /count): each name with accounts in
// several directories, its accounts in priority order
// ({directoryId, directoryName, userActive}).
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
// [WithSeed]. [WithLatency] delays every response; a [Fault] with a Delay
// slows one route (or fails it late). Rate limiting and faults are off
// unless asked for.
//
// # Inspection for tests and tools
//
// [Server.Count], [Server.Stats] and [Server.Requests] report the requests
// received per route ("METHOD /path" as in [Server.Routes]). Black-box
// tools get the same over HTTP: GET /_fake/stats answers
// {"total":N,"routes":{"GET /rest/api/2/user":12,…}} and POST
// /_fake/stats/reset clears it; POST /_fake/login?user=ID[&at=RFC3339]
// records a login of the user, as [Server.SetLastLogin] does. None needs
// credentials.
//
// # Jira Cloud
//
// A Cloud fake ([WithFlavor]([jira.Cloud])) serves REST v3 under /rest/api/3
// and REST v2 under /rest/api/2: the same operations on the same state, with
// issue descriptions and comment bodies as plain strings on v2 and as
// Atlassian Document Format on v3 (a v2 string is kept as a document with a
// paragraph per line; a document reads on v2 as its text). Each accepts the
// other's shape with 400, as Jira does. Self links name the version asked.
// Callers authenticate with Basic email:API-token; Bearer tokens (OAuth) are
// not emulated and get 401. Every authenticated answer names the caller in
// X-AAccountId. The query parameters the Cloud OpenAPI declares for a route
// are always accepted (declared.go, generated from the document and checked
// by the contract tests), except the dead username/key ones (see Deliberate
// deviations). [WithJiraAdmin] adds a second administrator who has
// Administer Jira (jira-admins) but not site-admin, to show the 403 a
// service account with too little gets.
//
//   - GET serverInfo (anonymous): deploymentType "Cloud", version
//     "1001.0.0-SNAPSHOT", versionNumbers [1001,0,0].
//   - GET myself, GET user?accountId= (expand=groups,applicationRoles fills the
//     {size,items} wrappers; without it they carry only the sizes).
//   - GET users/search and GET users: every user of the site — active,
//     inactive, app and customer accounts — in creation order, as a bare
//     array; maxResults defaults to 50 and is capped at 1000. Users removed
//     from the site are left out.
//   - GET user/search: active users only, matched by query (a prefix of a
//     word of the display name, or of the email when the profile shows it),
//     accountId (exact; not with query) or property (key.path=value); one is
//     required. Only the first 1000 matches can be paged to. Anonymous callers
//     get an empty array.
//   - GET user/bulk: a PageBean of the users named by repeated accountId
//     parameters (unknown ones skipped); maxResults 10 by default, at most 200.
//   - GET user/groups: a bare array of {name,groupId,self}.
//   - POST user (Administer Jira): NewUserDetails with emailAddress and
//     products ([] for none); jira-software, jira-servicedesk and
//     jira-product-discovery are the Cloud roles, so jira-core is refused. An
//     existing email with Jira access gets 201 (and the products asked for);
//     one without access, 400. A role whose Seats are used up gives 400. Fires
//     user_created.
//   - DELETE user (site-admins only): removes the user from the site — out of
//     every group, gone from Jira REST (404) — while the Atlassian account stays
//     in the organisation, where the Admin API still lists it.
//   - GET group/bulk (groupId, groupName, accessType, applicationKey; at most
//     50 a page), GET group/member (groupId or groupname, not both;
//     includeInactiveUsers; maxResults 1–50; UserDetails without locale),
//     POST group/user (body {"accountId"}; adding a member again gives 400, as
//     on DC), DELETE group/user (200), POST group, DELETE group (swapGroup or
//     swapGroupId must exist; administrators groups cannot be deleted), GET
//     groups/picker (query, exclude, excludeId, caseInsensitive — case-sensitive
//     by default —, maxResults capped by [WithPickerLimit]; html has the match
//     in <b>; managedBy ADMINS, usageType USERBASE_GROUP). Group writes need a
//     site administrator (the site-admins group); jira-admins members get 403.
//   - GET/PUT/DELETE user/properties[/{propertyKey}]?accountId=.
//   - GET applicationrole[/{key}], with groupDetails and defaultGroupsDetails;
//     userCount counts active users of the site in the role's groups, so it
//     drops when a user leaves a licence group, is suspended or is disabled.
//
// User JSON is Cloud's User: self, accountId, accountType, appType ("unknown")
// for app accounts, emailAddress (absent when the profile hides it), avatarUrls,
// displayName, active, timeZone, locale, and key and name as empty strings.
//
// # Atlassian Admin API
//
// A Cloud fake also serves the Admin API on the same host. Callers
// authenticate with Bearer <org API key> ([Credentials].OrgKey); the org id in
// paths must be [Credentials].OrgID, else 404. Errors have the Admin shape
// {"errors":[{"id","status","code","title","detail"}]}, unknown query
// parameters included.
//
//   - GET /admin/v1/orgs: the one organisation ({id,type:"orgs",attributes:{name}}).
//   - GET /admin/v2/orgs/{orgId}/directories: the site's directories
//     ({directoryId,name,icon}).
//   - GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users: the
//     parameters the Admin OpenAPI declares (cursor, limit, accountIds,
//     directoryIds, resourceIds, groupIds, mfaEnabled, claimStatus, status,
//     accountStatus, membershipStatus, roleIds, emailDomains, searchTerm,
//     sortBy); filters accountIds, accountStatus (active|inactive|closed),
//     status (active|suspended|not_invited|deactivated|for_deletion),
//     membershipStatus (active|suspended|no_membership), claimStatus
//     (managed|unmanaged), emailDomains, groupIds, searchTerm (substring of
//     name or email). It takes no expand: expand is answered 400, even with
//     [WithLenientParams], and the answer never has productAccess or groups.
//   - POST .../users/search: the same filters in a JSON body, plus emails
//     (not with searchTerm), cursor, limit and expand: productAccess (last
//     active per product) and groups (platformRoles and counts.resources are
//     accepted and add nothing). The only operation that returns
//     productAccess; [Server.HideProductAccess] makes it leave the array out
//     for a user, as real Cloud does for some.
//   - Lists are given as repeated or comma-separated parameters, or JSON
//     arrays (a lone string is also taken). Users are in creation order;
//     limit defaults to 50 and must be 1–100. links.next and links.prev are
//     opaque cursors, null at the ends; a cursor stays valid while users are
//     added or removed. A directoryId of "-" means every directory. Users
//     removed from the Jira site are listed: they are still in the
//     organisation.
//   - GET .../users/count ({"count":n}), GET .../users/{accountId} ({data};
//     no expand, refused as above), POST .../users/{accountId}/suspend and
//     /restore (204; suspension keeps groups but makes the user inactive in
//     Jira and frees the seat), DELETE .../users/{accountId} (204; the
//     account is gone everywhere).
//   - GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates:
//     product_access [{id,key,last_active:"2026-01-19"}] (empty if never
//     active) and added_to_org, in snake_case; one page.
//   - GET /users/{accountId}/manage (privileges lifecycle.enablement,
//     profile.write, email.set): allowed, or not with the documented reason
//     key externalDirectory.scim ([UserSpec].Synced). An account the
//     organisation does not manage (email not on one of
//     [Org].ClaimedDomains), and any account asked with the key of
//     [WithScopedOrgKey] (an API key created with scopes), get 403
//     {"key":"forbidden"}. POST /users/{accountId}/manage/lifecycle/disable
//     (optional {"message"}) and /enable answer 204 for managed accounts,
//     403 {"key":…} otherwise; a disabled account is accountStatus inactive
//     with deactivatedOn set, inactive in Jira, cannot authenticate, and
//     frees its seat.
//   - Every POST to the Admin and user management APIs needs
//     Content-Type: application/json, else 415 (ADMIN-UAM-415-1).
//
// A MultiDirectoryUser has accountId, accountType, status (the composite:
// for_deletion, else deactivated when the account is disabled — whatever the
// membership —, else not_invited, suspended or active), accountStatus,
// membershipStatus, addedToOrg (RFC 3339), name, nickname (first word of the
// name), email (always, even when Jira REST hides it), emailVerified,
// claimStatus, managementSource (synced or invited), deactivatedOn and
// forDeletion; from the search only, productAccess [{key, id
// "ari:cloud:<key>::site/<uuid>", lastActiveTimestamp}] (the user's
// licences; the timestamp is left out when never active) and groups
// [{id,name}]. [Server.MarkForDeletion] and [Server.SetNotInvited] set the
// other statuses.
//
// # Deviations (Cloud and Admin API)
//
//   - The Admin API is served on the site's host, not api.atlassian.com.
//   - users/search leaves out users removed from the site; real Cloud may list
//     previously deleted users.
//   - Suspend, restore, disable and enable are idempotent (204 again);
//     Atlassian's answer to repeats is unconfirmed.
//   - Users created with POST user are never managed accounts: the fake does
//     not keep claimed domains after loading an [Org].
//   - The org directory lists app and customer accounts too.
//   - appType is always "unknown"; the fake does not model service or agent
//     accounts. A not_invited user is still active in Jira REST.
//   - A disable or enable refused for a synced account answers 403
//     {"key":"externalDirectory.scim"}; Atlassian's body there is
//     unconfirmed.
//   - The Admin and user management APIs have no OpenAPI document in
//     testdata: their routes and shapes follow the Admin OpenAPI as
//     generated in jira.js (src/admin) and are not checked by the contract
//     tests.
//   - last-active-dates is a single page; the v1 org users list, the v2 groups
//     API, profiles and API-token management are not served.
//   - The points-based hourly quota and per-issue write limits are not
//     emulated: [WithRateLimit] is the burst limit, with the Admin API in a
//     bucket of its own.
//
// # Deliberate deviations
//
// Real Jira ignores query parameters it does not know; this package's fake
// answers them with 400 naming the parameter, which catches misspelt
// parameters in clients ([WithLenientParams] turns this off). The
// examples/fakejira program is lenient by default, like Jira, for other
// people's clients (-strict gives the 400s). Parameters the official
// OpenAPI documents declare are accepted either way. The contract tests
// also validate every GET answer against the document's response schema,
// with a short, tested list of the document's own defects. The fake's one workflow
// (Open → Waiting for approval → Approved/Rejected → Closed) stands for any
// project's workflow. Webhook JQL filters are understood only in the forms
// "project = KEY" and "project in (A, B)"; others match every issue.
// Wording of error messages follows Jira where known; clients must not parse
// it. What the fake does not emulate is listed in the README.
package jiratest
