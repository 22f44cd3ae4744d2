package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// maxErrorBody is how much of an error response's body is kept.
const maxErrorBody = 64 << 10

// parseRate reads the rate-limit headers of DC and Cloud.
func parseRate(h http.Header) jira.RateInfo {
	var r jira.RateInfo
	r.Limit, _ = strconv.Atoi(h.Get("X-RateLimit-Limit"))
	r.Remaining, _ = strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if f, err := strconv.ParseFloat(h.Get("X-RateLimit-FillRate"), 64); err == nil && f > 0 && !math.IsInf(f, 0) {
		r.FillRate = f
	}
	if s, err := strconv.ParseFloat(h.Get("X-RateLimit-Interval-Seconds"), 64); err == nil && s > 0 && s < 1e6 {
		r.Interval = time.Duration(s * float64(time.Second))
	}
	r.NearLimit = strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-NearLimit")), "true")
	return r
}

// retryAfter parses Retry-After as seconds or an HTTP date, relative to
// now. A date in the past, or a negative number, gives 0.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		const maxSeconds = int64(math.MaxInt64 / time.Second)
		return time.Duration(min(max(s, 0), maxSeconds)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// rateLimitReset parses Cloud's X-RateLimit-Reset (ISO 8601, documented
// as "2026-11-27T10:15Z"; seconds and offsets are accepted too); zero when
// absent or unreadable.
func rateLimitReset(h http.Header) time.Time {
	v := strings.TrimSpace(h.Get("X-RateLimit-Reset"))
	if v == "" {
		return time.Time{}
	}
	for _, layout := range [...]string{"2006-01-02T15:04Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// rateLimitReason returns Cloud's RateLimit-Reason (or its beta name).
func rateLimitReason(h http.Header) string {
	if r := h.Get("RateLimit-Reason"); r != "" {
		return r
	}
	return h.Get("X-Beta-RateLimit-Reason")
}

// errorBody holds every error shape Jira and the Admin API send.
type errorBody struct {
	ErrorMessages []string        `json:"errorMessages"`
	Errors        json.RawMessage `json:"errors"`
	ErrorMessage  string          `json:"errorMessage"`
	Message       string          `json:"message"`
}

// adminError is one entry of the Admin API's {"errors":[…]}.
type adminError struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// parseErrorBody extracts messages and field errors from a JSON error
// body. Anything else (HTML, text, empty, malformed JSON) gives nothing,
// never an error: the body is kept in the APIError as it is.
func parseErrorBody(body []byte) (msgs []string, fields map[string]string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, nil
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return nil, nil
	}
	for _, m := range eb.ErrorMessages {
		if m != "" {
			msgs = append(msgs, m)
		}
	}
	if eb.ErrorMessage != "" {
		msgs = append(msgs, eb.ErrorMessage)
	}
	if eb.Message != "" {
		msgs = append(msgs, eb.Message)
	}
	errs := bytes.TrimSpace(eb.Errors)
	switch {
	case len(errs) > 0 && errs[0] == '{':
		var m map[string]any
		if json.Unmarshal(errs, &m) == nil && len(m) > 0 {
			fields = make(map[string]string, len(m))
			for k, v := range m {
				if s, ok := v.(string); ok {
					fields[k] = s
				} else {
					fields[k] = fmt.Sprint(v)
				}
			}
		}
	case len(errs) > 0 && errs[0] == '[':
		var list []adminError
		if json.Unmarshal(errs, &list) == nil {
			for _, e := range list {
				msgs = append(msgs, e.message())
			}
		}
	}
	return msgs, fields
}

// message renders an Admin API error as "title: detail (code)".
func (e adminError) message() string {
	parts := make([]string, 0, 2)
	for _, p := range []string{e.Title, e.Detail} {
		if p != "" && (len(parts) == 0 || parts[0] != p) {
			parts = append(parts, p)
		}
	}
	m := strings.Join(parts, ": ")
	switch {
	case m == "" && e.Code == "":
		return e.ID
	case m == "":
		return e.Code
	case e.Code != "":
		return m + " (" + e.Code + ")"
	}
	return m
}

// requestID returns the server's request id, when it sent one.
func requestID(h http.Header) string {
	for _, k := range [...]string{"X-Arequestid", "Atl-Traceid", "X-Request-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// responseError reads resp's body (up to maxErrorBody) and returns a
// [*jira.APIError], or a [*jira.RateLimitError] for 429 and for 503 with
// Retry-After. It does not close the body.
func responseError(method string, u *url.URL, resp *http.Response, now time.Time) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msgs, fields := parseErrorBody(body)
	apiErr := &jira.APIError{
		StatusCode:  resp.StatusCode,
		Method:      method,
		URL:         redactURL(u),
		Messages:    msgs,
		FieldErrors: fields,
		Body:        body,
		RequestID:   requestID(resp.Header),
	}
	ra, hasRA := retryAfter(resp.Header, now)
	if resp.StatusCode != http.StatusTooManyRequests && (resp.StatusCode != http.StatusServiceUnavailable || !hasRA) {
		return apiErr
	}
	return &jira.RateLimitError{
		RetryAfter: ra,
		Reset:      rateLimitReset(resp.Header),
		Reason:     rateLimitReason(resp.Header),
		Rate:       parseRate(resp.Header),
		Err:        apiErr,
	}
}
