package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report"
)

// GroupMembers lists a Jira group's members; *datacenter.Client and
// *cloud.Client both have it. The email sink resolves groups through it.
type GroupMembers interface {
	GroupMembers(ctx context.Context, group string) iter.Seq2[jira.User, error]
}

// TLSMode says how the email sink secures its SMTP connection.
type TLSMode string

// The TLS modes.
const (
	// STARTTLS upgrades the connection and fails when the server cannot
	// (the default; port 587).
	STARTTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the start (port 465).
	ImplicitTLS TLSMode = "tls"
	// OpportunisticTLS upgrades when the server offers it.
	OpportunisticTLS TLSMode = "opportunistic"
	// NoTLS never encrypts: for a relay on the same host, or tests.
	NoTLS TLSMode = "none"
)

// SMTP is the mail server the email sink sends through.
type SMTP struct {
	Host string
	// Port defaults to 587 (465 with ImplicitTLS).
	Port int
	// Username and Password authenticate, when Username is set. The
	// password is a jira.Secret: it never appears in a log or an error.
	Username string
	Password jira.Secret
	TLS      TLSMode
	// TLSConfig is the TLS configuration (e.g. a private CA); default
	// verifies Host.
	TLSConfig *tls.Config
	// InsecureAuth allows a password over a connection that NoTLS leaves
	// unencrypted; without it such a configuration is refused.
	InsecureAuth bool
	// Timeout bounds the connection and each command (default 30 s).
	Timeout time.Duration
}

// Sink is the email sink, a report.Sink: an HTML summary with the charts inline (PNG
// parts referenced by Content-ID, since most mail clients show no SVG),
// a plain-text alternative, and the outcomes CSV attached, sent over SMTP
// to addresses and to the members of Jira groups.
type Sink struct {
	SMTP SMTP
	From string
	// To lists the recipients: an entry with an "@" is an address, any
	// other a Jira group whose active members with a known email are
	// mailed (Cloud hides some emails; those members are logged and
	// skipped).
	To     []string
	Groups GroupMembers
	// Subject defaults to "Seatwarden: " and the report's title.
	Subject string
	// Logger receives what the sink skipped (default: discard).
	Logger *slog.Logger
}

// Name returns "email" and the recipients as configured.
func (e *Sink) Name() string { return "email " + strings.Join(e.To, ",") }

// ErrNoRecipients is returned when an email sink's recipients resolve to
// nobody.
var ErrNoRecipients = errors.New("email: no recipients")

// Recipients resolves To: the addresses, and the emails of the groups'
// active members, without duplicates (ignoring case), sorted.
func (e *Sink) Recipients(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(a string) {
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	logger := e.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	for _, to := range e.To {
		to = strings.TrimSpace(to)
		if strings.Contains(to, "@") {
			add(to)
			continue
		}
		if e.Groups == nil {
			return nil, fmt.Errorf("email: to group %q needs a GroupMembers", to)
		}
		hidden := 0
		for u, err := range e.Groups.GroupMembers(ctx, to) {
			if err != nil {
				return nil, fmt.Errorf("email: members of %q: %w", to, err)
			}
			switch {
			case !u.Active:
			case u.Email == "":
				hidden++
			default:
				add(u.Email)
			}
		}
		if hidden > 0 {
			logger.LogAttrs(ctx, slog.LevelWarn, "group members without a known email are not mailed",
				slog.String("group", to), slog.Int("users", hidden))
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	if len(out) == 0 {
		return nil, ErrNoRecipients
	}
	return out, nil
}

// Message builds the email of r for the recipients, without sending it.
func (e *Sink) Message(r *report.Report, to []string) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(e.From); err != nil {
		return nil, fmt.Errorf("email: from %q: %w", e.From, err)
	}
	if err := m.To(to...); err != nil {
		return nil, fmt.Errorf("email: recipients: %w", err)
	}
	subject := e.Subject
	if subject == "" {
		subject = "Seatwarden: " + r.Title()
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(mail.TypeTextPlain, emailText(r))
	var html bytes.Buffer
	if err := report.WriteEmailHTML(&html, r); err != nil {
		return nil, err
	}
	m.AddAlternativeString(mail.TypeTextHTML, html.String())
	if r.Insights != nil {
		for _, img := range r.Insights.Images() {
			if err := m.EmbedReader(img.Name, bytes.NewReader(img.Data), mail.WithFileContentID(img.Name),
				mail.WithFileContentType(mail.ContentType(img.ContentType))); err != nil {
				return nil, err
			}
		}
	}
	var csv bytes.Buffer
	if err := report.WriteOutcomesCSV(&csv, r); err != nil {
		return nil, err
	}
	if err := m.AttachReader("seatwarden-"+r.RunID+".csv", &csv, mail.WithFileContentType("text/csv")); err != nil {
		return nil, err
	}
	return m, nil
}

// Write resolves the recipients and sends the email.
func (e *Sink) Write(ctx context.Context, r *report.Report) error {
	to, err := e.Recipients(ctx)
	if err != nil {
		return err
	}
	m, err := e.Message(r, to)
	if err != nil {
		return err
	}
	return e.send(ctx, m)
}

// send sends m through the sink's SMTP server.
func (e *Sink) send(ctx context.Context, m *mail.Msg) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return e.scrub(err)
	}
	return nil
}

func (e *Sink) client() (*mail.Client, error) {
	s := e.SMTP
	if s.Host == "" {
		return nil, errors.New("email: SMTP.Host is required")
	}
	mode := s.TLS
	if mode == "" {
		mode = STARTTLS
	}
	port := s.Port
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithTimeout(timeout)}
	switch mode {
	case STARTTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case OpportunisticTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
		if port == 0 {
			port = 465
		}
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("email: unknown TLS mode %q", mode)
	}
	if port == 0 {
		port = 587
	}
	opts = append(opts, mail.WithPort(port))
	if s.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(s.TLSConfig))
	}
	if s.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if mode == NoTLS {
			if !s.InsecureAuth {
				return nil, errors.New("email: refusing to send a password without TLS (set InsecureAuth)")
			}
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.Username), mail.WithPassword(s.Password.Reveal()))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, e.scrub(err)
	}
	return c, nil
}

// sendError is an SMTP error with the password taken out of its text.
type sendError struct {
	msg string
	err error
}

func (e *sendError) Error() string { return e.msg }
func (e *sendError) Unwrap() error { return e.err }

// scrub makes sure no error carries the SMTP password.
func (e *Sink) scrub(err error) error {
	msg := err.Error()
	if p := e.SMTP.Password.Reveal(); p != "" {
		msg = strings.ReplaceAll(msg, p, "[REDACTED]")
	}
	return &sendError{msg: "email: via " + e.SMTP.Host + ": " + msg, err: err}
}

// emailText is the plain-text part: the comment body and the insights' findings.
func emailText(r *report.Report) string {
	var b strings.Builder
	b.WriteString(report.CommentBody(r, 50))
	if r.Insights != nil {
		b.WriteString("\n" + r.Insights.Text())
	}
	b.WriteString("\nThe CSV attached lists every step.\n")
	return b.String()
}
