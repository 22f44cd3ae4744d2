package transport

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

func TestErrorDecoding(t *testing.T) {
	t.Parallel()
	html := "<!DOCTYPE html><html><body><h1>429 Too Many Requests</h1></body></html>"
	tests := []struct {
		name     string
		reply    http.HandlerFunc
		sentinel error
		msgs     []string
		fields   map[string]string
		body     string
	}{
		{
			name:     "jira error collection",
			reply:    reply(400, `{"errorMessages":["Field 'priority' is required"],"errors":{"projectKey":"A project with that project key already exists."}}`),
			msgs:     []string{"Field 'priority' is required"},
			fields:   map[string]string{"projectKey": "A project with that project key already exists."},
			sentinel: nil,
		},
		{
			name:     "not found",
			reply:    reply(404, `{"errorMessages":["The user named 'x' does not exist"],"errors":{}}`),
			msgs:     []string{"The user named 'x' does not exist"},
			sentinel: jira.ErrNotFound,
		},
		{
			name:     "admin API error list",
			reply:    reply(404, `{"errors":[{"id":"7f0c","code":"ADMIN-UAM-404-1","status":"404","title":"Not Found","detail":"User not found"}]}`),
			msgs:     []string{"Not Found: User not found (ADMIN-UAM-404-1)"},
			sentinel: jira.ErrNotFound,
		},
		{
			name:     "gateway message",
			reply:    reply(401, `{"code":401,"message":"Unauthorized; scope does not match"}`),
			msgs:     []string{"Unauthorized; scope does not match"},
			sentinel: jira.ErrUnauthorized,
		},
		{
			name:     "empty body",
			reply:    reply(401, ""),
			sentinel: jira.ErrUnauthorized,
		},
		{
			name:     "html body",
			reply:    reply(403, html, "Content-Type", "text/html"),
			sentinel: jira.ErrForbidden,
			body:     html,
		},
		{
			name:     "malformed json",
			reply:    reply(409, `{"errorMessages":["cut off`),
			sentinel: jira.ErrConflict,
			body:     `{"errorMessages":["cut off`,
		},
		{
			name:   "non-string field error",
			reply:  reply(400, `{"errorMessages":[],"errors":{"count":3}}`),
			fields: map[string]string{"count": "3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, handlerTransport{newScript(tt.reply)}, nil)
			_, err := c.Do(t.Context(), "GET", "/rest/api/2/user", nil, nil, nil)
			apiErr, ok := errors.AsType[*jira.APIError](err)
			require.True(t, ok, "got %v", err)
			assert.Equal(t, tt.msgs, apiErr.Messages)
			assert.Equal(t, tt.fields, apiErr.FieldErrors)
			if tt.body != "" {
				assert.Equal(t, tt.body, string(apiErr.Body))
			}
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			for _, m := range tt.msgs {
				assert.Contains(t, err.Error(), m)
			}
			assert.Equal(t, "GET", apiErr.Method)
			assert.Equal(t, testBase+"/rest/api/2/user", apiErr.URL)
		})
	}
}

func TestRateLimitErrorFields(t *testing.T) {
	t.Parallel()
	html := "<html><body>Rate limited</body></html>"
	s := newScript(reply(429, html,
		"Content-Type", "text/html",
		"Retry-After", "3600",
		"X-RateLimit-Reset", "2026-11-27T10:15Z",
		"RateLimit-Reason", "jira-quota-tenant-based",
		"X-RateLimit-Limit", "100",
		"X-RateLimit-Remaining", "0",
		"X-Arequestid", "req-42"))
	c := newTestClient(t, handlerTransport{s}, nil)
	resp, err := c.Do(t.Context(), "POST", "/rest/api/3/user", nil, map[string]string{"emailAddress": "a@b.c"}, nil)
	require.ErrorIs(t, err, jira.ErrRateLimited)
	rl, ok := errors.AsType[*jira.RateLimitError](err)
	require.True(t, ok)
	assert.Equal(t, time.Hour, rl.RetryAfter)
	assert.Equal(t, time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC), rl.Reset)
	assert.Equal(t, "jira-quota-tenant-based", rl.Reason)
	assert.Equal(t, jira.RateInfo{Limit: 100, Remaining: 0}, rl.Rate)
	assert.Equal(t, html, string(rl.Err.Body), "an HTML body is kept, not a JSON error")
	assert.Equal(t, "req-42", rl.Err.RequestID)
	assert.Contains(t, err.Error(), "jira-quota-tenant-based")
	assert.Equal(t, 100, resp.Rate.Limit)
	apiErr, ok := errors.AsType[*jira.APIError](err)
	require.True(t, ok, "the final response's APIError is reachable")
	assert.Equal(t, 429, apiErr.StatusCode)
}

func TestServiceUnavailableWithRetryAfterIsRateLimit(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, handlerTransport{newScript(reply(503, "", "Retry-After", "600"))}, nil)
	_, err := c.Do(t.Context(), "GET", "/x", nil, nil, nil)
	rl, ok := errors.AsType[*jira.RateLimitError](err)
	require.True(t, ok, "got %v", err)
	assert.Equal(t, 10*time.Minute, rl.RetryAfter)

	c = newTestClient(t, handlerTransport{newScript(reply(503, ""))}, func(c *Config) { c.RetryMax = -1 })
	_, err = c.Do(t.Context(), "GET", "/x", nil, nil, nil)
	_, ok = errors.AsType[*jira.RateLimitError](err)
	assert.False(t, ok, "a plain 503 is an APIError")
	assert.NotErrorIs(t, err, jira.ErrRateLimited)
}

func TestErrorBodyTruncated(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 200<<10)
	c := newTestClient(t, handlerTransport{newScript(reply(500, big, "Content-Type", "text/plain"))}, func(c *Config) { c.RetryMax = -1 })
	_, err := c.Do(t.Context(), "GET", "/x", nil, nil, nil)
	apiErr, ok := errors.AsType[*jira.APIError](err)
	require.True(t, ok)
	assert.Len(t, apiErr.Body, 64<<10)
	assert.Less(t, len(err.Error()), 1000, "the body is not part of the message")
}

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"0", 0, true},
		{"17", 17 * time.Second, true},
		{"-5", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		d, ok := retryAfter(http.Header{"Retry-After": {tt.value}}, now)
		assert.Equal(t, tt.want, d, tt.value)
		assert.Equal(t, tt.ok, ok, tt.value)
	}
	for v, want := range map[string]time.Time{
		"2026-11-27T10:15Z":         time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC),
		"2026-11-27T10:15:30Z":      time.Date(2026, 11, 27, 10, 15, 30, 0, time.UTC),
		"2026-11-27T11:15:00+01:00": time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC),
		"tomorrow":                  {},
	} {
		assert.True(t, want.Equal(rateLimitReset(http.Header{"X-Ratelimit-Reset": {v}})), v)
	}
	info := parseRate(http.Header{
		"X-Ratelimit-Limit": {"20"}, "X-Ratelimit-Remaining": {"7"}, "X-Ratelimit-Fillrate": {"5"},
		"X-Ratelimit-Interval-Seconds": {"60"}, "X-Ratelimit-Nearlimit": {"TRUE"},
	})
	assert.Equal(t, jira.RateInfo{Limit: 20, Remaining: 7, FillRate: 5, Interval: time.Minute, NearLimit: true}, info)
}
