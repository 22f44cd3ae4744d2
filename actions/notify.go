package actions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template/parse"
	"time"

	"github.com/seatwarden/seatwarden/internal/textdist"
	"github.com/seatwarden/seatwarden/jira"
)

// KindNotify emails the user (Step's Mail). It comes first in a user's
// steps: the user is told before anything is done, and when the email
// cannot be sent the user's other steps are not applied.
const KindNotify StepKind = "notify"

// Mail is the email of a notify step, rendered when the plan is made, so
// that the plan shows what will be sent.
type Mail struct {
	// To is the user's address; empty when the user has no known email
	// (Problem then says so).
	To []string `json:"to"`
	// Cc are addresses, or Jira groups whose active members are copied
	// (resolved when sending).
	Cc      []string `json:"cc,omitempty"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
	// Template identifies the templates the mail was rendered from (a
	// hash): [Verify] compares it, never the text, and sends the text
	// the policy renders at apply.
	Template string `json:"template"`
	// Problem, when set, says why the mail cannot be sent ("the user has
	// no known email address"); apply fails such a step.
	Problem string `json:"problem,omitempty"`
}

// Message is one email for a [Mailer].
type Message struct {
	// ID identifies the message (a Message-ID without the angle
	// brackets): the same for the same step of the same plan.
	ID      string
	To, Cc  []string
	Subject string
	Body    string
}

// Mailer sends the email of notify steps (report/email's Mailer sends it
// over SMTP). Send resolves Cc groups to their members' addresses.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// ErrNoMailer is the error of a notify step applied without a
// [ApplyOptions].Mailer.
var ErrNoMailer = errors.New("actions: notify: no mail server is configured (SMTP settings: --smtp-url or SEATWARDEN_SMTP_URL, usermgmt.Config.SMTP)")

// ErrNoEmail is the error of a notify step for a user without a known
// email address (Cloud hides some).
var ErrNoEmail = errors.New("actions: notify: the user has no known email address")

// NotifySpec is the email of [Notify].
type NotifySpec struct {
	// Subject and Body are templates: text with placeholders such as
	// {{displayName}} (see [NotifyPlaceholders]), and nothing else of
	// text/template (no pipelines, conditions or loops).
	Subject, Body string
	// Cc are addresses or Jira group names copied on each user's mail.
	Cc []string
	// DeadlineDays sets {{deadline}}: the date that many days after the
	// day the plan is made (in Location); required by a template that
	// uses {{deadline}}.
	DeadlineDays int
	// Location is the time zone of days and dates (default UTC).
	Location *time.Location
}

// NotifyPlaceholders lists the placeholders of notify templates with what
// they are filled in with.
func NotifyPlaceholders() map[string]string {
	return map[string]string{
		"displayName":        "the user's display name",
		"name":               "the user's name (DC) or accountId (Cloud)",
		"email":              "the user's email address",
		"user":               "the user's id (accountId, key or name)",
		"policy":             "the policy's name",
		"daysSinceLastLogin": "calendar days since the last login (a user whose last login is unknown or never is reported, not mailed)",
		"lastLogin":          "the date of the last login",
		"deadline":           "the date deadlineDays after the plan is made",
		"siteUrl":            "the site's base URL",
		"today":              "the date the plan is made",
	}
}

// ParamError is a parameter of an action that is not valid: Param names
// it as in policy files ("body"); for a template, Line and Column say
// where in its text (from 1), else they are 0.
type ParamError struct {
	Action       string
	Param        string
	Line, Column int
	Msg          string
}

func (e *ParamError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("actions: %s %s: line %d, column %d: %s", e.Action, e.Param, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("actions: %s %s: %s", e.Action, e.Param, e.Msg)
}

// tmplPart is a piece of a compiled template: literal text, or a
// placeholder.
type tmplPart struct {
	text, field string
}

type mailTemplate []tmplPart

// parseErrLine matches text/template/parse's "template: name:LINE: msg".
var parseErrLine = regexp.MustCompile(`^template: [^:]*:(\d+): (.*)$`)

// compileTemplate reads a template with text/template's parser and keeps
// only text and bare placeholders: anything else is an error that says
// where.
func compileTemplate(param, text string) (mailTemplate, error) {
	t := parse.New(param)
	t.Mode = parse.SkipFuncCheck | parse.ParseComments
	if _, err := t.Parse(text, "{{", "}}", map[string]*parse.Tree{}); err != nil {
		te := &ParamError{Action: "notify", Param: param, Line: 1, Column: 1, Msg: err.Error()}
		if m := parseErrLine.FindStringSubmatch(err.Error()); m != nil {
			fmt.Sscan(m[1], &te.Line)
			te.Msg = m[2]
		}
		return nil, te
	}
	fail := func(n parse.Node, format string, a ...any) error {
		pos := int(n.Position())
		if i := strings.LastIndex(text[:pos], "{{"); i >= 0 {
			pos = i // the placeholder's opening braces
		}
		line := 1 + strings.Count(text[:pos], "\n")
		col := pos - strings.LastIndexByte(text[:pos], '\n')
		return &ParamError{Action: "notify", Param: param, Line: line, Column: col, Msg: fmt.Sprintf(format, a...)}
	}
	known := NotifyPlaceholders()
	var out mailTemplate
	if t.Root == nil {
		return out, nil
	}
	for _, n := range t.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, tmplPart{text: string(n.Text)})
		case *parse.CommentNode:
		case *parse.ActionNode:
			p := n.Pipe
			if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
				return nil, fail(n, "%s: only a placeholder such as {{displayName}} is allowed", n)
			}
			id, ok := p.Cmds[0].Args[0].(*parse.IdentifierNode)
			if !ok {
				return nil, fail(n, "%s: only a placeholder such as {{displayName}} is allowed", n)
			}
			if _, ok := known[id.Ident]; !ok {
				names := make([]string, 0, len(known))
				for k := range known {
					names = append(names, k)
				}
				slices.Sort(names)
				hint := ""
				best := 3 // the most edits a suggestion may be away
				for _, k := range names {
					if d := textdist.Levenshtein(strings.ToLower(id.Ident), strings.ToLower(k)); d < best {
						best, hint = d, "; did you mean {{"+k+"}}?"
					}
				}
				return nil, fail(n, "{{%s}} is not a placeholder%s (one of %s)", id.Ident, hint, strings.Join(names, ", "))
			}
			out = append(out, tmplPart{field: id.Ident})
		default:
			return nil, fail(n, "%s: only text and placeholders such as {{displayName}} are allowed", n)
		}
	}
	return out, nil
}

func (t mailTemplate) uses(field string) bool {
	return slices.ContainsFunc(t, func(p tmplPart) bool { return p.field == field })
}

func (t mailTemplate) render(vars map[string]string) string {
	var b strings.Builder
	for _, p := range t {
		if p.field == "" {
			b.WriteString(p.text)
		} else {
			b.WriteString(vars[p.field])
		}
	}
	return b.String()
}

// Notify emails each user the policy selects, as spec says: a step per
// user, planned with the text rendered for that user and sent once when
// applied, before the user's other steps. It returns a [*ParamError]
// for a template (or another part of spec) that is not valid. A user without a known email address
// gets a step whose Mail.Problem says so: the plan reports it, and apply
// fails it (and so does not apply the user's other steps). Notify is
// never a no-op: a policy that should not notify twice across runs marks
// the user (setProperty) and selects unmarked users.
func Notify(spec NotifySpec) (Action, error) {
	subject, err := compileTemplate("subject", spec.Subject)
	if err != nil {
		return nil, err
	}
	body, err := compileTemplate("body", spec.Body)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(spec.Subject) == "" {
		return nil, &ParamError{Action: "notify", Param: "subject", Msg: "empty"}
	}
	for _, t := range []struct {
		name string
		tmpl mailTemplate
	}{{"subject", subject}, {"body", body}} {
		if t.tmpl.uses("deadline") && spec.DeadlineDays <= 0 {
			return nil, &ParamError{Action: "notify", Param: "deadlineDays", Msg: "missing; the " + t.name + " uses {{deadline}}: set the days from the plan to the deadline"}
		}
	}
	if spec.DeadlineDays < 0 {
		return nil, &ParamError{Action: "notify", Param: "deadlineDays", Msg: fmt.Sprintf("%d is negative", spec.DeadlineDays)}
	}
	loc := spec.Location
	if loc == nil {
		loc = time.UTC
	}
	cc := slices.Clone(spec.Cc)
	for i, c := range cc {
		if strings.TrimSpace(c) == "" {
			return nil, &ParamError{Action: "notify", Param: fmt.Sprintf("cc[%d]", i), Msg: "empty; an address or a Jira group"}
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "subject=%q\nbody=%q\ncc=%q\ndeadlineDays=%d\nzone=%s\n", spec.Subject, spec.Body, cc, spec.DeadlineDays, loc)
	id := "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
	return &action{name: "notify", plan: func(_ context.Context, u *jira.User, env PlanEnv) ([]Step, error) {
		m := &Mail{Cc: slices.Clone(cc), Template: id}
		vars := userVars(u, env.Policy)
		now := env.Now.In(loc)
		vars["today"] = now.Format(dateFormat)
		vars["siteUrl"] = env.Site
		if spec.DeadlineDays > 0 {
			vars["deadline"] = now.AddDate(0, 0, spec.DeadlineDays).Format(dateFormat)
		}
		if u.LastLogin.Known && !u.LastLogin.Never() {
			vars["lastLogin"] = u.LastLogin.Time.In(loc).Format(dateFormat)
			vars["daysSinceLastLogin"] = fmt.Sprint(calendarDays(u.LastLogin.Time, env.Now, loc))
		}
		for _, f := range []string{"daysSinceLastLogin", "lastLogin"} {
			if _, ok := vars[f]; !ok && (subject.uses(f) || body.uses(f)) && m.Problem == "" {
				m.Problem = "the last login is " + u.LastLogin.String() + ": {{" + f + "}} cannot be filled in"
			}
		}
		// A header never holds a line break, whatever a display name does.
		m.Subject = strings.Join(strings.Fields(subject.render(vars)), " ")
		m.Body = body.render(vars)
		if u.Email != "" {
			m.To = []string{u.Email}
		} else {
			m.To = []string{}
			m.Problem = "the user has no known email address"
		}
		return []Step{{Kind: KindNotify, Mail: m}}, nil
	}}, nil
}

// dateFormat is how notify templates write dates: "2 March 2026".
const dateFormat = "2 January 2006"

// calendarDays counts the days between two instants' dates in loc, as
// the criteria's daysSinceLastLogin does.
func calendarDays(from, to time.Time, loc *time.Location) int {
	day := func(t time.Time) int64 {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	}
	return int(day(to) - day(from))
}

// mailKey identifies a notify step's mail for merging and ordering.
func mailKey(m *Mail) string {
	if m == nil {
		return ""
	}
	return m.Template + "\x00" + strings.Join(m.To, ",")
}

// notify sends a notify step's mail.
func (a *applier) notify(ctx context.Context, stepID string, s Step) error {
	if err := a.canNotify(s); err != nil {
		return err
	}
	h := sha256.Sum256([]byte(a.plan.ID + "\x00" + stepID))
	return a.opts.Mailer.Send(ctx, Message{ID: hex.EncodeToString(h[:16]) + "@seatwarden", To: s.Mail.To, Cc: s.Mail.Cc,
		Subject: s.Mail.Subject, Body: s.Mail.Body})
}

// canNotify returns why a notify step cannot be sent, or nil.
func (a *applier) canNotify(s Step) error {
	switch {
	case s.Mail == nil:
		return errors.New("actions: notify step without a mail")
	case s.Mail.Problem != "" && len(s.Mail.To) == 0:
		return ErrNoEmail
	case s.Mail.Problem != "":
		return fmt.Errorf("actions: notify: %s", s.Mail.Problem)
	case a.opts.Mailer == nil:
		return ErrNoMailer
	}
	return nil
}

// writeUndeliverable says which users of the plan cannot be notified.
func writeUndeliverable(b *strings.Builder, p *Plan) {
	var who []string
	for _, u := range p.Users {
		for _, s := range u.Steps {
			if s.Kind == KindNotify && s.Mail != nil && s.Mail.Problem != "" {
				who = append(who, u.User.String()+" ("+s.Mail.Problem+")")
			}
		}
	}
	if len(who) == 0 {
		return
	}
	const shown = 20
	fmt.Fprintf(b, "Cannot notify %d users; their notify step fails and their other steps are not applied:\n", len(who))
	for i, w := range who {
		if i == shown {
			fmt.Fprintf(b, "  … and %d more\n", len(who)-shown)
			break
		}
		fmt.Fprintf(b, "  %s\n", w)
	}
}

// mailsShown is how many users' mails a plan's summary shows whole; the
// next ones by their subject (the plan's JSON has every mail).
const mailsShown = 3

// writeMails shows the rendered mails of a user's notify steps: the
// recipients and subject, and the body when full.
func writeMails(b *strings.Builder, steps []Step, full bool) {
	for _, s := range steps {
		if s.Kind != KindNotify || s.Mail == nil || s.Mail.Problem != "" {
			continue
		}
		to := strings.Join(s.Mail.To, ", ")
		if len(s.Mail.Cc) > 0 {
			to += ", cc " + strings.Join(s.Mail.Cc, ", ")
		}
		fmt.Fprintf(b, "      mail to %s — subject: %s\n", to, s.Mail.Subject)
		if !full {
			continue
		}
		for line := range strings.Lines(strings.TrimRight(s.Mail.Body, "\n")) {
			fmt.Fprintf(b, "      | %s", line)
			if !strings.HasSuffix(line, "\n") {
				b.WriteString("\n")
			}
		}
	}
}
