package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// TestListEmpty: the README's first --where example selects nobody on the
// DC demo (DC gives no creation dates): the table is a "0 users" line and
// why, not a lone header. JSON stays an empty array, with the line on
// stderr.
func TestListEmpty(t *testing.T) {
	t.Parallel()
	const where = "active && neverLoggedIn && daysSinceCreated > 30"
	r := cli(t, nil, "--demo", "users", "list", "--where", where)
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "list-empty", r.stdout)

	r = cli(t, nil, "--demo", "users", "list", "--where", where, "--output", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
	assert.Contains(t, r.stderr, "0 users (1001 read, none selected)\n")

	r = cli(t, nil, "--demo", "users", "list", "--where", where, "--output", "csv", "--columns", "name,created")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "name,created\n", r.stdout, "an empty CSV still names its columns")
}

// TestNoHeaderBeforeError: a listing that fails prints no table header
// (nor CSV header) before its error.
func TestNoHeaderBeforeError(t *testing.T) {
	t.Parallel()
	fake := jiratest.NewServer(t, jiratest.WithDCVersion("10.0"))
	env := map[string]string{"JIRA_URL": fake.URL, "JIRA_TOKEN": fake.Credentials().DCToken}
	for _, format := range []string{"table", "csv"} {
		r := cli(t, env, "users", "list", "--where", "daysSinceLastLogin > 1", "--output", format)
		assert.Equal(t, exitFailed, r.code, r.stderr)
		assert.Contains(t, r.stderr, "10.0")
		assert.Empty(t, r.stdout, format)
	}
}

// TestProgressClearedBeforeStderr: on a terminal, the bar is cleared
// before anything else reaches stderr (a warning, the log, an error).
func TestProgressClearedBeforeStderr(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	m := newMeter(&b, true, false, 0)
	w := clearingWriter{w: &b, m: m}
	m.update("snapshot", 10, 100)
	require.Contains(t, b.String(), "snapshot")
	_, _ = w.Write([]byte("warning: something\n"))
	m.finish()
	out := b.String()
	i := strings.Index(out, "warning: something")
	require.Positive(t, i)
	assert.True(t, strings.HasSuffix(out[:i], "\r\033[K"), "the bar is cleared before the warning: %q", out)
}
