package email_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/internal/smtptest"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report/email"
)

// TestMailerSendsNotifications: the notify mail goes to the user, copied
// to addresses and to a Jira group's active members with an email, as
// plain text with the step's Message-ID, over STARTTLS with auth; a
// failure never shows the password.
func TestMailerSendsNotifications(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{User: "reports", Password: "s3cret-pw", TLS: smtptest.StartTLS})
	fake := jiratest.NewServer(t)
	require.NoError(t, fake.AddGroup("it-managers"))
	_, err := fake.AddUser(jiratest.UserSpec{Name: "boss", Email: "boss@example.com", Groups: []string{"it-managers"}})
	require.NoError(t, err)
	_, err = fake.AddUser(jiratest.UserSpec{Name: "hidden", Groups: []string{"it-managers"}})
	require.NoError(t, err)
	client, err := datacenter.New(fake.URL, datacenter.BasicAuth(jiratest.DefaultDCUser, jira.Secret(jiratest.DefaultDCPassword)))
	require.NoError(t, err)
	st, err := email.ParseURL("smtp://reports@" + srv.Addr + "?ca=" + srv.CAFile)
	require.NoError(t, err)
	st.Password = "s3cret-pw"
	ml := &email.Mailer{SMTP: st, From: "seatwarden@example.com", Groups: client}

	msg := actions.Message{ID: "0123abcd@seatwarden", To: []string{"alice@example.com"}, Cc: []string{"it@example.com", "it-managers"},
		Subject: "Your account\r\nBcc: evil@example.com", Body: "Hello Alice,\nplease log in.\n"}
	require.NoError(t, ml.Send(t.Context(), msg))
	got := srv.Messages()
	require.Len(t, got, 1)
	assert.True(t, got[0].OverTLS)
	assert.ElementsMatch(t, []string{"alice@example.com", "it@example.com", "boss@example.com"}, got[0].To)
	m, err := mail.ReadMessage(strings.NewReader(string(got[0].Data)))
	require.NoError(t, err)
	assert.Equal(t, "<0123abcd@seatwarden>", m.Header.Get("Message-ID"))
	assert.Equal(t, "Your account Bcc: evil@example.com", m.Header.Get("Subject"), "no header injection")
	assert.Empty(t, m.Header.Get("Bcc"))
	assert.Contains(t, m.Header.Get("Content-Type"), "text/plain")

	ml.SMTP.Password = "hunter2-wrong"
	err = ml.Send(t.Context(), msg)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2-wrong")
	assert.Len(t, srv.Messages(), 1)
	assert.ErrorIs(t, ml.Send(t.Context(), actions.Message{Subject: "x"}), email.ErrNoRecipients)
}
