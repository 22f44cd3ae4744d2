package main

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/smtptest"
	"github.com/seatwarden/seatwarden/jira"
)

// TestLifecycleWarnsByEmail runs the lifecycle example as shipped, as a
// person would, on the DC fake with the SMTP settings from the flags and
// the environment: each warned user gets one mail over TLS, whose text the
// plan showed; running it again (same day) warns nobody twice.
func TestLifecycleWarnsByEmail(t *testing.T) {
	t.Parallel()
	fake, env := exampleSite(t, jira.DataCenter)
	srv := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw", TLS: smtptest.StartTLS})
	env["SEATWARDEN_SMTP_PASSWORD"], env["SEATWARDEN_MAIL_FROM"] = "s3cret-pw", "seatwarden@example.com"
	env["SEATWARDEN_SMTP_URL"] = "smtp://reports@" + srv.Addr + "?ca=" + srv.CAFile
	// A copy: the example's report sink writes beside the policy file.
	src, err := os.ReadFile(filepath.Join(exampleDir(t), "lifecycle.yaml"))
	require.NoError(t, err)
	policy := filepath.Join(t.TempDir(), "lifecycle.yaml")
	require.NoError(t, os.WriteFile(policy, src, 0o600))

	plan := cli(t, env, "plan", "--rate", "1000", "--policy", policy)
	require.Equal(t, exitOK, plan.code, plan.stderr)
	assert.Contains(t, plan.stdout, "| Log in before then to keep your access: nothing else is needed.")
	notify := strings.Count(plan.stdout, "notify ")
	require.Positive(t, notify, plan.stdout)
	assert.Empty(t, srv.Messages(), "a plan sends nothing")

	journal := filepath.Join(t.TempDir(), "run.journal")
	r := cli(t, env, "run", "--rate", "1000", "--policy", policy, "--apply", "--journal", journal)
	require.Contains(t, []int{exitOK, exitFailed}, r.code, r.stderr)
	got := srv.Messages()
	require.NotEmpty(t, got)
	seen := map[string]bool{}
	for _, m := range got {
		require.Len(t, m.To, 1)
		assert.False(t, seen[m.To[0]], "%s mailed twice", m.To[0])
		seen[m.To[0]] = true
		assert.True(t, m.OverTLS)
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(msg.Header.Get("Subject"), "Your Jira account will be deactivated on "))
	}
	warned := 0
	for _, u := range fake.Users() {
		if _, ok := u.Properties["seatwarden.warned"]; ok {
			warned++
			assert.True(t, seen[u.Email], "%s marked warned without a mail", u.Name)
		}
	}
	assert.Equal(t, len(got), warned, r.stdout)
	t.Logf("%d users warned by email", len(got))
	assert.NotContains(t, r.stdout+r.stderr, "s3cret-pw")

	again := cli(t, env, "run", "--rate", "1000", "--policy", policy, "--apply", "--journal", filepath.Join(t.TempDir(), "again.journal"))
	require.Contains(t, []int{exitOK, exitFailed}, again.code, again.stderr)
	assert.Len(t, srv.Messages(), len(got), "nobody is warned twice: %s", again.stdout)
}
