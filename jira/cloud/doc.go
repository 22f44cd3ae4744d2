// Package cloud is a client for Jira Cloud's REST API v3 and the Atlassian
// Admin API, rate-limited and retrying, for user and licence management.
//
// [New] takes the site's URL and an [Auth] — an Atlassian account's email
// and API token ([APITokenAuth]) — and, for what only the organisation can
// do (deactivation, last activity), an organisation API key ([WithAdmin]):
//
//	c, err := cloud.New("https://example.atlassian.net",
//		cloud.APITokenAuth("admin@example.com", jira.Secret(os.Getenv("JIRA_API_TOKEN"))),
//		cloud.WithAdmin(os.Getenv("ATLASSIAN_ORG_ID"), jira.Secret(os.Getenv("ATLASSIAN_ORG_KEY"))))
//
// The client's services follow the APIs' areas — [Client.Users],
// [Client.Groups], [Client.Properties], [Client.Roles], [Client.Issues],
// [Client.Webhooks] and [Client.Admin] — with one call per endpoint, each
// taking a [context.Context] first and returning the typed answer, the
// [*jira.Response] (also on error) and an error. The client's own methods
// ([Client.Snapshot], [Client.User], [Client.Deactivate],
// [Client.AddToGroup], …) are the client's implementation of [jira.Site],
// the flavour-neutral interface that jira/datacenter's client implements too,
// so code above the clients does not care which flavour it talks to.
//
// Two surfaces, two kinds of names: a service method is one request, in
// the flavour's own types (c.Users.Delete sends DELETE user); a Client
// method is a [jira.Site] job in the model's types, which may take several
// requests, checks its result and is idempotent where it says so
// (c.Delete). The services' names and argument orders are the same on
// both flavours: Groups.AddUser(ctx, group, ref), Groups.RemoveUser(ctx,
// group, ref), Properties.Get(ctx, ref, key), and so on.
//
// # Identity
//
// Users are addressed by [jira.AccountID] only; a [jira.Username] or
// [jira.UserKey] is refused with [jira.ErrWrongFlavor] before any request.
// Groups are named by [jira.Group]: by their immutable ID when it is set,
// else by name. Jira hides the email of users whose profile says so; with
// the Admin API the flavour-neutral reads take it from the organisation's
// directory instead.
//
// # Deactivation
//
// Jira Cloud has no "active" flag to set: access is the Atlassian
// account's, managed by the organisation. [Client.Deactivate] (and
// [Client.DeactivateUser], which also reports the path it took) therefore
// needs the Admin API. It reads the directory user first: a user whose
// status is not_invited or for_deletion is reported ([ErrNotActionable])
// and left alone; one already deactivated or suspended is left alone. Then:
//
//   - a managed account, on one of the organisation's verified domains and
//     not synced from an identity provider, is disabled
//     (POST /users/{accountId}/manage/lifecycle/disable), which deactivates
//     it in every product;
//   - an unmanaged account, one synced through SCIM (which only the
//     identity provider may disable), and one the user management API
//     refuses with 403 — {"key":"forbidden"} for accounts the organisation
//     does not manage and for API keys created with scopes — is suspended
//     in its directory
//     (POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/suspend),
//     losing access to the organisation's products while keeping its groups.
//
// [Client.Reactivate] enables a disabled account and restores a suspended
// membership — both for a user who was both, whose status reads only
// "deactivated" — then reads the user again and fails unless the status is
// active. Every POST to the Admin and user management APIs carries a JSON
// body ({} when there is nothing to say): they refuse body-less POSTs with
// 415. [Client.Delete] only removes the user from the
// Jira site (DELETE /rest/api/3/user); the Atlassian account stays in the
// organisation. Passwords and sessions belong to the Atlassian account:
// [Client.ResetPassword] and [Client.InvalidateSessions] fail with
// [jira.ErrUnsupported].
//
// # Pagination
//
// One-page calls ([UsersService.List], [UsersService.Search],
// [GroupsService.List], [GroupsService.Members], [AdminService.Users],
// [AdminService.Search]) return the page and fill [jira.Response].Page;
// the iterators ([UsersService.All], [UsersService.SearchAll],
// [GroupsService.All], [GroupsService.AllMembers], [AdminService.AllUsers],
// [Client.Snapshot]) walk every page lazily as an iter.Seq2, stop when the
// loop breaks, end with the first error, and stop with [jira.ErrPageLimit]
// after a hard page cap. Users come 1000 a page (GET users/search, a bare
// array that ends with an empty page, since Jira may shorten a page by the
// users the caller may not see), group members 50 a page, directory users
// 100 a page following the Admin API's links.next cursor.
//
// # Last login and last active
//
// Jira Cloud's REST API does not say when a user last logged in. With the
// Admin API, [Client.Snapshot] (with LastLogin) reads every directory's
// users through POST .../users/search with {"expand":["productAccess"]},
// 100 a request, and [Client.User] asks the same search for the one
// accountId — the GET directory-users and user-details operations take no
// expand and carry no productAccess. LastActive holds the last activity per
// product, LastLogin the most recent of them (never, when the search lists
// the user's products without activity), and Created when the user joined
// the organisation. A user the search sends without a productAccess array
// has an unknown last login, never "never"; for one user, [Client.User]
// then falls back to the v1 last-active dates. Atlassian updates activity
// with a delay of up to a day. Without [WithAdmin], and for users no
// directory lists, last login stays unknown ([jira.LastLogin] with Known
// false), and that is not an error.
//
// # Rate limiting
//
// Every attempt, retries included, waits for a client-side token bucket;
// the Admin API, which Atlassian limits separately, has its own. Without
// a ceiling ([WithRateLimit]) the bucket starts at 10 requests per second
// and finds the rate Jira allows, up to [DefaultMaxRate]; either way it
// slows down when Jira says it is near its limit (X-RateLimit-NearLimit)
// or answers 429, and speeds up again while it does not. 429 and 503 are retried for every method, other 5xx and network
// errors only for idempotent ones, never sooner than Retry-After or
// X-RateLimit-Reset, with exponential backoff and jitter ([WithRetry]).
//
// # Errors
//
// An error status becomes a [*jira.APIError] (Jira's errorMessages and
// errors, or the Admin API's error list, kept) or, for a rate limit that
// outlasted the retries, a [*jira.RateLimitError]; both match the jira
// sentinels through [errors.Is]. The client's own errors start with
// "cloud: ". No API token or organisation key ever appears in an error or
// a log.
//
// # Admin API
//
// [WithAdmin] (and [WithAdminURL], by default [DefaultAdminURL]) gives the
// client a second connection, authenticated with the organisation API key
// as a Bearer token, for the Organizations API (/admin/v1, /admin/v2) and
// the user management API (/users/{accountId}/manage). [Client.Admin]
// exposes it; without [WithAdmin] its calls, [Client.Deactivate] and
// [Client.Reactivate] fail with an error matching [jira.ErrUnsupported]
// that says what is missing, while the other flavour-neutral methods work
// and leave the Admin API's data unknown.
package cloud
