package email_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/smtptest"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/email"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

// env is a getenv over a map.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// settings parses args as a program's flags and resolves them with the
// environment.
func settings(t *testing.T, getenv func(string) string, args ...string) (*email.Settings, error) {
	t.Helper()
	var f email.Flags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f.Register(fs)
	require.NoError(t, fs.Parse(args))
	return f.Settings(getenv)
}

// send writes a report through a sink built from settings, as usermgmt
// builds one for a policy's email sink.
func send(t *testing.T, s *email.Settings) error {
	t.Helper()
	r, _ := reporttest.Fixture()
	return (&email.Sink{SMTP: s.SMTP, From: s.From, To: []string{"cfo@example.com"}}).Write(t.Context(), r)
}

func TestSMTPSTARTTLS(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw", TLS: smtptest.StartTLS})
	st, err := settings(t, env(map[string]string{
		email.EnvURL: "smtp://reports@" + srv.Addr + "?ca=" + srv.CAFile, email.EnvPassword: "s3cret-pw", email.EnvFrom: "seatwarden@example.com"}))
	require.NoError(t, err)
	assert.Equal(t, email.STARTTLS, st.SMTP.TLS)
	require.NoError(t, send(t, st))

	got := srv.Messages()
	require.Len(t, got, 1)
	assert.True(t, got[0].OverTLS, "over TLS")
	assert.Equal(t, "seatwarden@example.com", got[0].From)

	st.SMTP.Password = "hunter2-wrong"
	err = send(t, st)
	require.Error(t, err, "a wrong password")
	assert.NotContains(t, err.Error(), "hunter2-wrong")

	// Without the private CA the server's certificate is not trusted.
	st, err = settings(t, env(map[string]string{email.EnvPassword: "s3cret-pw"}),
		"--smtp-url", "smtp://reports@"+srv.Addr, "--mail-from", "seatwarden@example.com")
	require.NoError(t, err)
	err = send(t, st)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Len(t, srv.Messages(), 1, "nothing more was sent")
}

func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw", TLS: smtptest.Implicit})
	pw := filepath.Join(t.TempDir(), "smtp-password")
	require.NoError(t, os.WriteFile(pw, []byte("s3cret-pw\n"), 0o600))
	st, err := settings(t, env(nil), "--smtp-url", "smtps://reports@"+srv.Addr+"?ca="+srv.CAFile+"&timeout=5s",
		"--smtp-password-file", pw, "--mail-from", "Seatwarden <seatwarden@example.com>")
	require.NoError(t, err)
	assert.Equal(t, email.ImplicitTLS, st.SMTP.TLS)
	assert.Equal(t, jira.Secret("s3cret-pw"), st.SMTP.Password, "the file's trailing newline is not the password's")
	require.NoError(t, send(t, st))
	got := srv.Messages()
	require.Len(t, got, 1)
	assert.True(t, got[0].OverTLS)
	assert.Equal(t, 1, srv.AuthAttempts())
}

// TestSMTPNoPasswordInClear: a server that offers no STARTTLS gets no
// password (nor mail) from a client that requires it; and settings that
// would send a password unencrypted are refused before any connection.
func TestSMTPNoPasswordInClear(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw"}) // no STARTTLS, auth in clear
	st, err := settings(t, env(map[string]string{email.EnvPassword: "s3cret-pw"}),
		"--smtp-url", "smtp://reports@"+srv.Addr, "--mail-from", "seatwarden@example.com")
	require.NoError(t, err)
	err = send(t, st)
	require.Error(t, err)
	assert.Contains(t, strings.ToLower(err.Error()), "starttls")
	assert.Equal(t, 0, srv.AuthAttempts(), "no AUTH without TLS")
	assert.Empty(t, srv.Messages())

	for _, q := range []string{"starttls=off", "starttls=opportunistic"} {
		_, err := email.ParseURL("smtp://reports@" + srv.Addr + "?" + q)
		assert.ErrorContains(t, err, `user "reports" with `+q+` could send the password in clear: refused`)
	}
	// Without a user, starttls=off is a relay on the same host: allowed.
	relay := smtptest.Start(t, smtptest.Options{})
	st, err = settings(t, env(nil), "--smtp-url", "smtp://"+relay.Addr+"?starttls=off", "--mail-from", "seatwarden@example.com")
	require.NoError(t, err)
	assert.Equal(t, email.NoTLS, st.SMTP.TLS)
	require.NoError(t, send(t, st))
	assert.Len(t, relay.Messages(), 1)
}

// TestSMTPServerFails: the server refuses the message. The email sink's
// failure is reported; the run's other sinks have their report.
func TestSMTPServerFails(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw", TLS: smtptest.StartTLS,
		FailData: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 0}, Message: "mailbox unavailable"}})
	st, err := settings(t, env(map[string]string{email.EnvPassword: "s3cret-pw"}),
		"--smtp-url", "smtp://reports@"+srv.Addr+"?ca="+srv.CAFile, "--mail-from", "seatwarden@example.com")
	require.NoError(t, err)

	r, _ := reporttest.Fixture()
	var log bytes.Buffer
	jsonl := report.NewJSONL(&log)
	sink := &email.Sink{SMTP: st.SMTP, From: st.From, To: []string{"cfo@example.com"}}
	deliveries := report.NewFanout(nil, sink, jsonl).Deliver(t.Context(), r)
	require.Len(t, deliveries, 2)
	require.Error(t, deliveries[0].Err, "the email sink fails")
	assert.Contains(t, deliveries[0].Err.Error(), "mailbox unavailable")
	assert.Contains(t, deliveries[0].Sink, "email")
	assert.NoError(t, deliveries[1].Err, "the run log does not")
	assert.Contains(t, log.String(), `"run-1"`, "the run is in the run log")
}

func TestSMTPSettingsRefused(t *testing.T) {
	t.Parallel()
	pwFile := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(pwFile, []byte("\n"), 0o600))
	for _, tc := range []struct {
		env  map[string]string
		args []string
		err  string
	}{
		{args: []string{"--smtp-url", "smtp://reports:hunter2@mail.example.com"}, err: "remove the password: it goes in SEATWARDEN_SMTP_PASSWORD"},
		{args: []string{"--smtp-url", "http://mail.example.com"}, err: `scheme "http": want smtp:// (STARTTLS) or smtps:// (TLS)`},
		{args: []string{"--smtp-url", "smtp://:25"}, err: "no host"},
		{args: []string{"--smtp-url", "smtp://mail.example.com:99999"}, err: `port "99999" is not a port number`},
		{args: []string{"--smtp-url", "smtp://mail.example.com/inbox"}, err: `unexpected path "/inbox"`},
		{args: []string{"--smtp-url", "smtp://mail.example.com?starttls=maybe"}, err: `starttls="maybe": want required, opportunistic or off`},
		{args: []string{"--smtp-url", "smtps://mail.example.com?starttls=off"}, err: "smtps:// speaks TLS from the start"},
		{args: []string{"--smtp-url", "smtp://mail.example.com?timeout=soon"}, err: `timeout="soon"`},
		{args: []string{"--smtp-url", "smtp://mail.example.com?tls=on"}, err: `unknown parameter "tls"`},
		{args: []string{"--smtp-url", "smtp://mail.example.com?ca=/nonexistent/ca.pem"}, err: "ca: open /nonexistent/ca.pem"},
		{args: []string{"--smtp-url", "smtp://mail.example.com?ca=" + pwFile}, err: "holds no PEM certificate"},
		{args: []string{"--smtp-url", "smtp://reports@mail.example.com", "--mail-from", "a@example.com"}, err: `SMTP user "reports" needs a password: set SEATWARDEN_SMTP_PASSWORD or --smtp-password-file`},
		{args: []string{"--smtp-url", "smtp://reports@mail.example.com", "--mail-from", "a@example.com", "--smtp-password-file", pwFile}, err: "is empty"},
		{env: map[string]string{email.EnvPasswordFile: "/nonexistent/pw"}, args: []string{"--smtp-url", "smtp://reports@mail.example.com"}, err: "SMTP password file (SEATWARDEN_SMTP_PASSWORD_FILE)"},
		{env: map[string]string{email.EnvPassword: "hunter2"}, args: []string{"--smtp-url", "smtp://mail.example.com"}, err: "the URL names no user"},
		{env: map[string]string{email.EnvPassword: "hunter2"}, args: []string{"--smtp-url", "smtp://reports@mail.example.com"}, err: "needs a sender: set --mail-from or SEATWARDEN_MAIL_FROM"},
		{env: map[string]string{email.EnvPassword: "hunter2", email.EnvFrom: "not an address"}, args: []string{"--smtp-url", "smtp://reports@mail.example.com"}, err: `SEATWARDEN_MAIL_FROM "not an address"`},
	} {
		st, err := settings(t, env(tc.env), tc.args...)
		assert.Nil(t, st)
		if assert.ErrorContains(t, err, tc.err, tc.args) {
			assert.NotContains(t, err.Error(), "hunter2", tc.args)
		}
	}
}

func TestSMTPSettingsDefaults(t *testing.T) {
	t.Parallel()
	st, err := settings(t, env(nil))
	assert.NoError(t, err)
	assert.Nil(t, st, "no URL, no settings: email sinks are reported as not delivered")

	st, err = settings(t, env(map[string]string{email.EnvURL: "smtp://env.example.com", email.EnvFrom: "env@example.com"}),
		"--smtp-url", "smtps://flag.example.com", "--mail-from", "flag@example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"flag.example.com", "flag@example.com"}, []string{st.SMTP.Host, st.From}, "the flags win over the variables")
	st, err = settings(t, env(map[string]string{email.EnvURL: "smtp://env.example.com", email.EnvFrom: "env@example.com"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"env.example.com", "env@example.com"}, []string{st.SMTP.Host, st.From}, "the variables without flags")

	for url, want := range map[string]email.SMTP{
		"smtp://mail.example.com":                   {Host: "mail.example.com", Port: 587, TLS: email.STARTTLS},
		"smtps://mail.example.com":                  {Host: "mail.example.com", Port: 465, TLS: email.ImplicitTLS},
		"smtp://relay@mail.example.com:25/":         {Host: "mail.example.com", Port: 25, Username: "relay", TLS: email.STARTTLS},
		"smtp://localhost:25?starttls=off":          {Host: "localhost", Port: 25, TLS: email.NoTLS},
		"smtp://[::1]:2525?starttls=opportunistic":  {Host: "::1", Port: 2525, TLS: email.OpportunisticTLS},
		"smtp://mail.example.com?timeout=1m&x=&x=y": {},
	} {
		got, err := email.ParseURL(url)
		if want.Host == "" {
			assert.Error(t, err, url)
			continue
		}
		require.NoError(t, err, url)
		assert.Equal(t, want, got, url)
	}
}
