// Package transport is the HTTP plumbing shared by the Data Center and Cloud
// clients: authentication, the user agent, the client-side rate limiter, the
// retry policy, JSON requests, typed errors and pagination. It is internal;
// the public clients in jira/datacenter and jira/cloud wrap a [*Client].
//
// # The stack
//
// A request goes, from outer to inner, through:
//
//   - the retry loop (hashicorp/go-retryablehttp with this package's own
//     CheckRetry, Backoff and ErrorHandler);
//   - the rate limiter (golang.org/x/time/rate), below the retry loop, so
//     every attempt, retries included, takes a token;
//   - a per-attempt timeout;
//   - authentication, sent only to the configured scheme and host;
//   - the caller's base [net/http.RoundTripper].
//
// # Retries
//
// 429 and 503 are retried for every method; other 5xx (not 501) and network
// errors only for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE), and
// for any method when the connection could not be made at all. A retry never
// comes sooner than Retry-After (seconds or an HTTP date; 0 means the minimum
// wait), Cloud's X-RateLimit-Reset, or the time DC's bucket needs to refill
// one token. Waits grow exponentially from Config.RetryWaitMin, with up to
// 25% jitter, and are capped at Config.RetryWaitMax. When the server asks for
// a longer wait than the cap, or than the context's deadline allows, the
// client does not retry and returns the typed error at once. Nothing is
// retried once the context is done.
//
// # Rate limiting
//
// The limiter starts at Config.Rate and Config.Burst, a ceiling it never
// exceeds. Data Center's X-RateLimit-FillRate, X-RateLimit-Interval-Seconds
// and X-RateLimit-Limit lower it to the server's bucket, and it never holds
// more tokens than X-RateLimit-Remaining says are left; a 429 without
// those headers (a proxy's) halves it, and each other response gives back
// a tenth. Where the server
// advertises no bucket (Cloud), the limiter is AIMD: a 429 halves the rate
// and X-RateLimit-NearLimit takes a fifth off (down to 1/16 of the
// target), each at most once a second, since the answers to requests in
// flight report the same congestion; once neither has come for a second,
// the rate grows back by a tenth of the target per second. NearLimit is
// the steady state of a client using its whole budget, so it slows the
// client gently rather than halving it. Given no ceiling but a
// Config.MaxRate (jira/cloud), the limiter probes: it starts at
// DefaultRate, grows by a fifth of MaxRate a second until the server
// speaks, then only by a hundredth a second above the knee, a fifth below
// the rate at which it last spoke. A wait that would outlast the
// context's deadline fails at once with [jira.ErrRateLimitWait].
//
// # Errors
//
// A final response with an error status becomes a [*jira.APIError], or a
// [*jira.RateLimitError] for 429 and for 503 with Retry-After. Jira's
// errorMessages and errors, and the Admin API's error list, are kept; a
// body that is not JSON (an HTML 429 page) is kept, truncated, in Body.
// URLs in errors and logs carry no userinfo and no query values except a few
// harmless paging parameters.
//
// # Pagination
//
// [Walk] turns any page-fetching function into an iter.Seq2 with a hard page
// cap ([jira.ErrPageLimit]). [Offset], [PageBeans], [StreamPages] and
// [AdminPages] walk the shapes Jira uses: a bare array with startAt, a
// PageBean, DC's cursor-based StreamPageBean and the Admin API's
// links.next cursor.
//
// # Logging
//
// Logging goes to Config.Logger, and nowhere when it is nil. Records carry
// the method, the redacted URL, the status and waits, never a credential.
package transport
