// Package datacenter is a client for Jira Data Center's REST API v2,
// rate-limited and retrying, for user and licence management.
//
// [New] takes the site's base URL and an [Auth] — a personal access token
// ([TokenAuth], Jira 8.14+) or a username and password ([BasicAuth]):
//
//	c, err := datacenter.New("https://jira.example.com", datacenter.TokenAuth(jira.Secret(os.Getenv("JIRA_TOKEN"))))
//
// The client's services follow the REST API's areas — [Client.Users],
// [Client.Groups], [Client.Properties], [Client.Roles], [Client.Issues],
// [Client.Webhooks] — with one call per endpoint, each taking a
// [context.Context] first and returning the typed answer, the
// [*jira.Response] (also on error) and an error. The client's own methods
// ([Client.Snapshot], [Client.User], [Client.Deactivate],
// [Client.AddToGroup], …) are the client's implementation of [jira.Site],
// the flavour-neutral interface that jira/cloud's client implements too,
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
// Users are addressed by [jira.Username] or [jira.UserKey]; a
// [jira.AccountID] is refused with [jira.ErrWrongFlavor] before any
// request. Group and application calls need the login name, so a key
// costs one extra request to read the name.
//
// # Pagination
//
// One-page calls ([UsersService.Search], [UsersService.List],
// [GroupsService.Members]) return the page and fill [jira.Response].Page;
// the iterators ([UsersService.All], [UsersService.SearchAll],
// [GroupsService.AllMembers], [Client.Snapshot]) walk every page lazily
// as an iter.Seq2, stop when the loop breaks, end with the first error, and
// stop with [jira.ErrPageLimit] after a hard page cap. [UsersService.All]
// uses the cursor-based /user/list (2000 a page) where the server has it
// (10.3, 11) and /user/search (1000 a page) on Jira 9; on 10.0 to 10.2 no
// REST call lists every user, and [Client.Snapshot] falls back to the
// application roles' groups and the login source, or says it is
// incomplete ([jira.ErrIncomplete]). A search that fills Jira 10's cap of
// 100 results is [jira.ErrTruncated], never a short list.
//
// # Last login
//
// Jira DC 10 and later send lastLoginTime for users who logged in; a user
// without it has never logged in only in a response that carries it for
// others. Older servers do not send it, and group/member never does: last
// login is then unknown ([jira.LastLogin] with Known false), never
// "never". Jira's REST API never sends creation dates or login counts. All
// three are in Jira's database: export them with the read-only
// [LoginQueryFor] to a CSV file ([LoginFile]) or let [SQLLoginSource] run
// it, and give that to the client with [WithLoginSource]; the snapshot
// reads it once and fills them in.
//
// # Rate limiting
//
// Every attempt, retries included, waits for a client-side token bucket
// (10 requests per second by default, [WithRateLimit]), which adapts
// downward to the server's X-RateLimit-* headers. 429 and 503 are retried
// for every method, other 5xx and network errors only for idempotent ones,
// never sooner than Retry-After (0, which DC sends, counts as a minimum
// wait), with exponential backoff and jitter ([WithRetry]).
//
// # Errors
//
// An error status becomes a [*jira.APIError] (Jira's errorMessages and
// errors kept) or, for a rate limit that outlasted the retries, a
// [*jira.RateLimitError]; both match the jira sentinels through
// [errors.Is]. No credential or password ever appears in an error or a log.
package datacenter
