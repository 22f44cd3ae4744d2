package email

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	mail "github.com/wneessen/go-mail"

	"github.com/seatwarden/seatwarden/actions"
)

// Mailer sends the email of policies' notify steps over SMTP: it is an
// actions.Mailer. A Cc entry with an "@" is an address, any other a Jira
// group whose active members with a known email are copied (resolved
// through Groups, as the email sink does).
type Mailer struct {
	SMTP   SMTP
	From   string
	Groups GroupMembers
	// Logger receives the group members skipped (default: discard).
	Logger *slog.Logger
}

var _ actions.Mailer = (*Mailer)(nil)

// Message builds the email of m, without sending it: plain text, with
// m.ID as its Message-ID.
func (ml *Mailer) Message(ctx context.Context, m actions.Message) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(ml.From); err != nil {
		return nil, fmt.Errorf("email: from %q: %w", ml.From, err)
	}
	if len(m.To) == 0 {
		return nil, ErrNoRecipients
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("email: recipients: %w", err)
	}
	if len(m.Cc) > 0 {
		cc, err := ml.sink(m.Cc).Recipients(ctx)
		if err != nil && !errors.Is(err, ErrNoRecipients) {
			return nil, err
		}
		if len(cc) > 0 {
			if err := msg.Cc(cc...); err != nil {
				return nil, fmt.Errorf("email: cc: %w", err)
			}
		}
	}
	msg.Subject(strings.Join(strings.Fields(m.Subject), " "))
	msg.SetDate()
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	return msg, nil
}

// Send builds the email of m and sends it; the error never holds the
// SMTP password.
func (ml *Mailer) Send(ctx context.Context, m actions.Message) error {
	msg, err := ml.Message(ctx, m)
	if err != nil {
		return err
	}
	return ml.sink(nil).send(ctx, msg)
}

func (ml *Mailer) sink(to []string) *Sink {
	return &Sink{SMTP: ml.SMTP, From: ml.From, To: to, Groups: ml.Groups, Logger: ml.Logger}
}
