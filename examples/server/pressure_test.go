package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira"
)

// TestJiraRateLimitIsNotAFailure: the site's rate limiting is answered
// 503 with the site's Retry-After and says so; other errors are 502.
func TestJiraRateLimitIsNotAFailure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err   error
		code  int
		after string
		says  string
	}{
		{fmt.Errorf("usermgmt: snapshot: %w", &jira.RateLimitError{RetryAfter: 7 * time.Second}), http.StatusServiceUnavailable, "7", "rate limiting"},
		{fmt.Errorf("x: %w", jira.ErrRateLimitWait), http.StatusServiceUnavailable, "5", "rate limiting"},
		{errors.New("connection refused"), http.StatusBadGateway, "", "Jira failed"},
	} {
		w := httptest.NewRecorder()
		jiraFailed(w, "planning", tc.err)
		assert.Equal(t, tc.code, w.Code)
		assert.Equal(t, tc.after, w.Header().Get("Retry-After"))
		var body map[string]string
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		assert.Contains(t, body["error"], tc.says)
	}
}

// TestSlotsAnswer429: beyond its slots a route waits up to queueWait, then
// answers 429 with Retry-After; a request that gets a slot in time runs.
func TestSlotsAnswer429(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		sl := newSlots(1, 4)
		h := sl.limit(func(w http.ResponseWriter, r *http.Request) {
			<-release
			writeJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
		})
		codes := make(chan *httptest.ResponseRecorder, 3)
		call := func() {
			w := httptest.NewRecorder()
			h(w, httptest.NewRequest(http.MethodGet, "/", nil))
			codes <- w
		}
		go call() // holds the slot
		synctest.Wait()
		go call() // waits, then 429
		time.Sleep(queueWait + time.Millisecond)
		w := <-codes
		assert.Equal(t, http.StatusTooManyRequests, w.Code)
		assert.Equal(t, "5", w.Header().Get("Retry-After"))
		go call() // waits; gets the slot when the first ends
		time.Sleep(queueWait / 2)
		close(release)
		assert.Equal(t, http.StatusOK, (<-codes).Code)
		assert.Equal(t, http.StatusOK, (<-codes).Code)
	})
}
