package main

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/smtptest"
)

const mailed = `  - name: long-gone
    users: {where: active && daysSinceLastLogin > 1000}
    actions: [{action: deactivate}]
    limits: {maxUsers: 500}
    reporting:
      sinks:
        - {type: jsonl, path: runs/long-gone.jsonl}
        - {type: email, to: [cfo@example.com], subject: Long-gone accounts}
`

// TestRunMailsThroughSMTP runs a policy with an email sink as a person
// would, with the SMTP settings from the flags and the environment: the
// report arrives over TLS; a server that refuses it leaves the run whole
// and its failure reported.
func TestRunMailsThroughSMTP(t *testing.T) {
	t.Parallel()
	policy := writePolicy(t, mailed)
	srv := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw", TLS: smtptest.Implicit})
	a := newApp(map[string]string{"SEATWARDEN_SMTP_PASSWORD": "s3cret-pw", "SEATWARDEN_MAIL_FROM": "seatwarden@example.com"})
	r := a.on(t, "run", "--policy", policy, "--apply", "--journal", filepath.Join(t.TempDir(), "1.journal"),
		"--smtp-url", "smtps://reports@"+srv.Addr+"?ca="+srv.CAFile)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, "s3cret-pw")
	got := srv.Messages()
	require.Len(t, got, 1, r.stderr)
	assert.True(t, got[0].OverTLS)
	assert.Equal(t, []string{"cfo@example.com"}, got[0].To)
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	require.NoError(t, err)
	assert.Equal(t, "Long-gone accounts", msg.Header.Get("Subject"))
	assert.Equal(t, "<seatwarden@example.com>", msg.Header.Get("From"))

	failing := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw", TLS: smtptest.StartTLS,
		FailData: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 0}, Message: "mailbox unavailable"}})
	r = a.on(t, "run", "--policy", policy, "--apply", "--journal", filepath.Join(t.TempDir(), "2.journal"),
		"--smtp-url", "smtp://reports@"+failing.Addr+"?ca="+failing.CAFile)
	assert.Equal(t, exitOK, r.code, "the run completes")
	assert.Contains(t, r.stdout, "Policies: long-gone", "the run's report is printed")
	assert.Contains(t, r.stderr, "mailbox unavailable", "the email's failure is reported")
	assert.Empty(t, failing.Messages())
	log, err := os.ReadFile(filepath.Join(filepath.Dir(policy), "runs", "long-gone.jsonl"))
	require.NoError(t, err)
	runID := regexp.MustCompile(`run_id=(\S+)`).FindStringSubmatch(r.stderr)
	require.Len(t, runID, 2, r.stderr)
	assert.Contains(t, string(log), `"`+runID[1]+`"`, "the run log has the run whose email failed")

	r = a.on(t, "run", "--policy", policy, "--apply", "--smtp-url", "smtp://reports:s3cret-pw@"+srv.Addr)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "remove the password")
	assert.NotContains(t, r.stderr, "s3cret-pw")
}
