package report_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report"
)

// A run that went over a limit with a reason says so in every sink that
// describes the run: the run log, the log, the HTML page and the comment.
func TestLimitOverrideReported(t *testing.T) {
	t.Parallel()
	r, _ := fixture()
	r.LimitOverride = &actions.LimitOverride{Reason: "office closed & moved", Limit: `policy "x" changes 60 users`}

	var b bytes.Buffer
	require.NoError(t, report.WriteJSONL(&b, r))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var last report.RunRecord
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	assert.Equal(t, r.LimitOverride, last.LimitOverride)
	assert.Contains(t, lines[len(lines)-1], `"reason":"office closed & moved"`, "not HTML-escaped")

	var logs bytes.Buffer
	require.NoError(t, report.NewSlog(slog.New(slog.NewTextHandler(&logs, nil))).Write(t.Context(), r))
	assert.Contains(t, logs.String(), `limit_override.reason="office closed & moved"`)

	var page bytes.Buffer
	require.NoError(t, report.WriteHTML(&page, r))
	assert.Contains(t, page.String(), "Limits overridden:</strong> policy &#34;x&#34; changes 60 users. Reason given: office closed &amp; moved")

	assert.Contains(t, report.CommentBody(r, 10), "Limits overridden: policy \"x\" changes 60 users. Reason given: office closed & moved\n")

	// A run without an override has none of it.
	r.LimitOverride = nil
	b.Reset()
	require.NoError(t, report.WriteJSONL(&b, r))
	assert.NotContains(t, b.String(), "limitOverride")
}
