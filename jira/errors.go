package jira

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Errors returned by the clients match them through
// [errors.Is]; use [errors.AsType] with [*APIError] or [*RateLimitError] for
// the details.
var (
	ErrNotFound     = errors.New("jira: not found")
	ErrUnauthorized = errors.New("jira: unauthorized")
	ErrForbidden    = errors.New("jira: forbidden")
	ErrConflict     = errors.New("jira: conflict")
	ErrRateLimited  = errors.New("jira: rate limited")
	ErrWrongFlavor  = errors.New("jira: wrong flavor")
	ErrUnsupported  = errors.New("jira: not supported by this site")

	// ErrRateLimitWait is returned when waiting for the client-side rate
	// limiter would outlast the context's deadline, so the request was
	// never sent. It does not match [context.DeadlineExceeded].
	ErrRateLimitWait = errors.New("jira: rate limit wait would exceed the context deadline")
	// ErrPageLimit ends a pagination that went on for more pages than its
	// hard cap, which protects against a server that never says "last page".
	ErrPageLimit = errors.New("jira: too many pages")
	// ErrTruncated is returned instead of a short list when the server
	// cut a result off, e.g. Jira DC 10's user/search, which serves only
	// the first 100 results: a page that comes back exactly at the cap is
	// taken as truncated, never as the whole. See [TruncatedError].
	ErrTruncated = errors.New("jira: result truncated by the server")
	// ErrIncomplete is returned when a snapshot cannot see every user of
	// the site and the caller did not allow a partial one. See
	// [IncompleteError] and [SnapshotOptions.AllowPartial].
	ErrIncomplete = errors.New("jira: the site cannot list every user")
)

// TruncatedError is a result the server cut off at Limit. It matches
// [ErrTruncated].
type TruncatedError struct {
	Op      string // the request, e.g. "GET /rest/api/2/user/search"
	Limit   int    // the cap the result reached
	Version string // the server's version, when known
	Hint    string // what to do instead
}

// Error says what was cut off, where, and what to do.
func (e *TruncatedError) Error() string {
	msg := fmt.Sprintf("jira: %s returned %d results, its cap", e.Op, e.Limit)
	if e.Version != "" {
		msg += " on Jira " + e.Version
	}
	msg += ": the result is truncated, not complete"
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Is matches [ErrTruncated].
func (e *TruncatedError) Is(target error) bool { return target == ErrTruncated }

// IncompleteError says that a snapshot cannot see every user: which
// users it could see, which it could not, and what would make it
// complete. It matches [ErrIncomplete].
type IncompleteError struct {
	Version string // the server's version
	Seen    string // how users were enumerated, e.g. "the members of the application roles' groups"
	Unseen  string // who cannot be seen, e.g. "users in no licence group"
	Hint    string // what to do
}

// Error names the version, who cannot be seen and why, and what to do.
func (e *IncompleteError) Error() string {
	msg := "jira: a snapshot of Jira " + e.Version + " cannot list every user"
	if e.Seen != "" {
		msg += ": it sees " + e.Seen
	}
	if e.Unseen != "" {
		msg += ", not " + e.Unseen
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Is matches [ErrIncomplete].
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// UnsupportedError is an operation the site's version does not offer. It
// matches [ErrUnsupported] and names the version and what to do.
type UnsupportedError struct {
	Op      string // e.g. "DELETE /rest/api/2/user/session/{username}"
	Version string // the server's version
	Hint    string // what to do instead
}

// Error names the operation, the version and what to do.
func (e *UnsupportedError) Error() string {
	msg := fmt.Sprintf("jira: %s is not offered by Jira %s", e.Op, e.Version)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Is matches [ErrUnsupported].
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// APIError is a response from Jira with an error status. It keeps what
// Jira said (errorMessages and errors, or the Admin API's error list), the
// request's method and URL with credentials and query values redacted, and
// the start of the body.
type APIError struct {
	StatusCode  int
	Method      string
	URL         string            // redacted
	Messages    []string          // errorMessages, or Admin API error titles/details
	FieldErrors map[string]string // errors, keyed by field
	Body        []byte            // truncated; may be HTML or empty
	RequestID   string            // X-Arequestid / Atl-Traceid when sent
}

// Error returns "jira: METHOD URL: STATUS: messages".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jira: %s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	msgs := e.Messages
	for k, v := range e.FieldErrors {
		msgs = append(msgs[:len(msgs):len(msgs)], k+": "+v)
	}
	if len(msgs) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(msgs, "; "))
	}
	return b.String()
}

// Is matches the sentinel for the status code: 401 [ErrUnauthorized], 403
// [ErrForbidden], 404 [ErrNotFound], 409 [ErrConflict], 429 [ErrRateLimited].
func (e *APIError) Is(target error) bool {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusNotFound:
		return target == ErrNotFound
	case http.StatusConflict:
		return target == ErrConflict
	case http.StatusTooManyRequests:
		return target == ErrRateLimited
	}
	return false
}

// RateLimitError is a 429 (or a 503 carrying Retry-After) that outlasted
// the client's retries. It wraps the [*APIError] for the final response.
type RateLimitError struct {
	// RetryAfter is how long the server asked to wait; zero when it did not say.
	RetryAfter time.Duration
	// Reset is when the limit resets (Cloud X-RateLimit-Reset); zero when unknown.
	Reset time.Time
	// Reason is Cloud's RateLimit-Reason, e.g. "jira-burst-based".
	Reason string
	// Rate is what the server said about the limit.
	Rate RateInfo
	Err  *APIError
}

// Error describes the limit and how long to wait.
func (e *RateLimitError) Error() string {
	msg := "jira: rate limited"
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf("; retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is matches [ErrRateLimited].
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Unwrap returns the final response's [*APIError].
func (e *RateLimitError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// RateInfo is what a response said about the rate limit. Zero fields were
// not sent.
type RateInfo struct {
	Limit     int     // X-RateLimit-Limit: bucket size (DC) or window budget (Cloud)
	Remaining int     // X-RateLimit-Remaining
	FillRate  float64 // DC X-RateLimit-FillRate: tokens per interval
	Interval  time.Duration
	NearLimit bool // Cloud X-RateLimit-NearLimit
}
