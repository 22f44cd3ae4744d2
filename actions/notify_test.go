package actions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/jiratest"
)

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []actions.Message
	// after, when set, is called after each message is kept, with the
	// count so far; its error is Send's.
	after func(n int) error
}

func (m *mailbox) Send(_ context.Context, msg actions.Message) error {
	m.mu.Lock()
	m.sent = append(m.sent, msg)
	n := len(m.sent)
	m.mu.Unlock()
	if m.after != nil {
		return m.after(n)
	}
	return nil
}

// perUser counts the messages to each address.
func (m *mailbox) perUser() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for _, s := range m.sent {
		for _, to := range s.To {
			out[to]++
		}
	}
	return out
}

const (
	warnSubject = "Your Jira account {{name}} will be deactivated on {{deadline}}"
	warnBody    = "Hello {{displayName}},\nyou last logged in to {{siteUrl}} {{daysSinceLastLogin}} days ago.\n" +
		"Your account will be deactivated on {{deadline}} unless you log in.\n"
)

func warnPolicy(t *testing.T, where string) actions.Policy {
	t.Helper()
	n, err := actions.Notify(actions.NotifySpec{Subject: warnSubject, Body: warnBody, Cc: []string{"it@example.com"}, DeadlineDays: 30})
	require.NoError(t, err)
	return actions.Policy{Name: "warn", Select: crit(t, where),
		Action: actions.Sequence(actions.SetProperty("seatwarden.warned", "{{date}}"), n)}
}

// TestNotifyTemplateErrors: a template that is not plain text with known
// placeholders is refused with its parameter, line and column.
func TestNotifyTemplateErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		spec          actions.NotifySpec
		param         string
		line, column  int
		msg           string
		noLineInError bool
	}{
		{"unknown placeholder", actions.NotifySpec{Subject: "Hi", Body: "Hello\n  {{dispalyName}}"}, "body", 2, 3,
			"{{dispalyName}} is not a placeholder; did you mean {{displayName}}?", false},
		{"field of dot", actions.NotifySpec{Subject: "Hi {{.Name}}", Body: "x"}, "subject", 1, 4, "only a placeholder", false},
		{"function call", actions.NotifySpec{Subject: "Hi", Body: `{{printf "%s" displayName}}`}, "body", 1, 1, "only a placeholder", false},
		{"loop", actions.NotifySpec{Subject: "Hi", Body: "a\nb\n{{range 100000000}}x{{end}}"}, "body", 3, 1, "only text and placeholders", false},
		{"unclosed", actions.NotifySpec{Subject: "Hi", Body: "a\n{{displayName"}, "body", 2, 1, "unclosed action", false},
		{"empty subject", actions.NotifySpec{Subject: " ", Body: "x"}, "subject", 0, 0, "empty", true},
		{"deadline without days", actions.NotifySpec{Subject: "Hi", Body: "by {{deadline}}"}, "deadlineDays", 0, 0, "uses {{deadline}}", true},
		{"empty cc", actions.NotifySpec{Subject: "Hi", Body: "x", Cc: []string{"a@example.com", ""}}, "cc[1]", 0, 0, "empty", true},
	}
	for _, c := range cases {
		_, err := actions.Notify(c.spec)
		pe, ok := errors.AsType[*actions.ParamError](err)
		require.True(t, ok, "%s: %v", c.name, err)
		assert.Equal(t, c.param, pe.Param, c.name)
		assert.Equal(t, c.line, pe.Line, c.name)
		if c.column > 0 {
			assert.Equal(t, c.column, pe.Column, c.name)
		}
		assert.Contains(t, pe.Msg, c.msg, c.name)
	}
	_, err := actions.Notify(actions.NotifySpec{Subject: warnSubject, Body: warnBody, DeadlineDays: 30})
	require.NoError(t, err)
}

// TestNotifyPlan: the plan holds the mail rendered for each user and says
// it in its summary; a user without an email is reported; exempt users
// get nothing; notify comes before the user's other steps.
func TestNotifyPlan(t *testing.T) {
	t.Parallel()
	users := people(6)
	users[1].Email = "" // user0002: no known email
	users[4].Groups = append(users[4].Groups, "vip")
	_, c := dcSite(t, &jiratest.Org{Users: users})
	p := warnPolicy(t, `active && daysSinceLastLogin > 0`)
	p.Exemptions.Groups = []actions.Entry{{Value: "vip"}}
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{Site: "https://jira.example.com"})

	byName := map[string]actions.UserPlan{}
	for _, up := range plan.Users {
		byName[up.User.Name] = up
	}
	require.Contains(t, byName, "user0003")
	up := byName["user0003"]
	require.Len(t, up.Steps, 2)
	assert.Equal(t, actions.KindNotify, up.Steps[0].Kind, "notify comes first")
	m := up.Steps[0].Mail
	require.NotNil(t, m)
	assert.Equal(t, []string{"user0003@example.com"}, m.To)
	assert.Equal(t, []string{"it@example.com"}, m.Cc)
	assert.Equal(t, "Your Jira account user0003 will be deactivated on 1 July 2026", m.Subject)
	assert.Equal(t, "Hello User 0003,\nyou last logged in to https://jira.example.com 2 days ago.\n"+
		"Your account will be deactivated on 1 July 2026 unless you log in.\n", m.Body)
	assert.Empty(t, m.Problem)

	require.Contains(t, byName, "user0002")
	assert.Equal(t, "the user has no known email address", byName["user0002"].Steps[0].Mail.Problem)
	assert.NotContains(t, byName, "user0005", "exempt")
	require.Len(t, plan.Exempt, 1)
	assert.Equal(t, 3, plan.Counts[actions.KindNotify], "users 2, 3, 5 and 6 (1 and 4 never logged in) but the exempt 5; user 2 is counted, and reported")

	sum := plan.Summary()
	assert.Contains(t, sum, "Cannot notify 1 users")
	assert.Contains(t, sum, "user0002 (User 0002) (the user has no known email address)")
	assert.Contains(t, sum, "mail to user0003@example.com, cc it@example.com — subject: Your Jira account user0003 will be deactivated on 1 July 2026")
	assert.Contains(t, sum, "      | Your account will be deactivated on 1 July 2026 unless you log in.")

	// The plan's JSON carries the text, and reads back the same.
	b, err := json.Marshal(plan)
	require.NoError(t, err)
	var back actions.Plan
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, plan.Users, back.Users)

	// A blast-radius limit counts notified users like any other change.
	p.Limits = actions.Limits{MaxUsers: 2}
	limited := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{Site: "https://jira.example.com"})
	assert.ErrorIs(t, limited.CheckLimits(), actions.ErrLimitExceeded)
}

// TestNotifyUnknownLastLogin: a template that needs the last login is
// not filled with a wrong number for a user who never logged in: the
// step says why it cannot be sent.
func TestNotifyUnknownLastLogin(t *testing.T) {
	t.Parallel()
	n, err := actions.Notify(actions.NotifySpec{Subject: "Hi", Body: "{{daysSinceLastLogin}} days"})
	require.NoError(t, err)
	u := jira.User{Name: "a", Email: "a@example.com", Active: true, LastLogin: jira.LastLogin{Known: true}}
	steps, err := n.Plan(t.Context(), &u, actions.PlanEnv{Now: now, Flavor: jira.DataCenter})
	require.NoError(t, err)
	require.Len(t, steps, 1)
	assert.Contains(t, steps[0].Mail.Problem, "the last login is never")
}

// TestNotifyApply: each user with an email gets one mail, before the
// other steps; a user without an email fails (reported in the run) and
// keeps the rest of its steps unapplied; a dry run sends nothing and says
// what cannot be delivered; without a Mailer the steps fail clearly.
func TestNotifyApply(t *testing.T) {
	t.Parallel()
	users := people(6)
	users[1].Email = ""
	s, c := dcSite(t, &jiratest.Org{Users: users})
	p := warnPolicy(t, `active && daysSinceLastLogin > 0`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{Site: "https://jira.example.com"})
	notified := len(plan.Users) - 1

	dry, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{DryRun: true})
	require.NoError(t, err)
	assert.Contains(t, dry.Summary(), "notify (no known email address): planned — cannot be delivered: the user has no known email address")
	assert.Contains(t, dry.Summary(), "cannot be delivered: no mail server is configured")
	assert.Zero(t, totalWrites(s), "a dry run writes nothing")

	// Without a mail server: every notify fails before anything is sent,
	// and no user is marked.
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{})
	require.NoError(t, err)
	assert.Equal(t, len(plan.Users), run.Counts[actions.Failed], run.Summary())
	assert.Equal(t, len(plan.Users), run.Counts[actions.Skipped], "the marks are not set")
	assert.Contains(t, run.Summary(), "no mail server is configured (SMTP settings: --smtp-url or SEATWARDEN_SMTP_URL")
	assert.Zero(t, totalWrites(s))

	box := &mailbox{}
	run, err = actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Mailer: box})
	require.NoError(t, err)
	assert.Equal(t, 2*notified, run.Counts[actions.Applied], run.Summary())
	assert.Equal(t, 1, run.Counts[actions.Failed])
	assert.Equal(t, 1, run.Counts[actions.Skipped])
	var failed actions.Result
	for _, r := range run.Results {
		if r.Outcome == actions.Failed {
			failed = r
		}
	}
	assert.Equal(t, "user0002", failed.User.Name)
	assert.ErrorIs(t, failed.Err, actions.ErrNoEmail)
	counts := box.perUser()
	assert.Len(t, counts, notified)
	for to, n := range counts {
		assert.Equal(t, 1, n, to)
	}
	for _, msg := range box.sent {
		assert.Equal(t, []string{"it@example.com"}, msg.Cc)
		assert.Contains(t, msg.Body, "unless you log in")
		assert.True(t, strings.HasSuffix(msg.ID, "@seatwarden"), msg.ID)
	}
	u, _ := s.User("user0003")
	assert.Contains(t, u.Properties, "seatwarden.warned", "the mark is set after the mail")
	u, _ = s.User("user0002")
	assert.NotContains(t, u.Properties, "seatwarden.warned", "not marked: not notified")
}

// TestNotifyOnceAcrossResume cuts the journal at every point of a run (as
// a crash would), resumes it, and checks that every user got exactly one
// mail: a mail whose send was started is never sent again.
func TestNotifyOnceAcrossResume(t *testing.T) {
	t.Parallel()
	inDoubt := 0
	for cut := 1; cut <= 16; cut++ {
		_, c := dcSite(t, &jiratest.Org{Users: people(6)})
		p := warnPolicy(t, `active && daysSinceLastLogin > 0`)
		plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{Site: "https://jira.example.com"})
		box := &mailbox{}
		w := &failingWriter{n: cut}
		j, err := actions.NewJournal(w)
		require.NoError(t, err)
		_, err = actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Concurrency: 1, Mailer: box})
		if err == nil {
			break // the journal held the whole run
		}
		resumed := bytes.NewBuffer(bytes.Clone(w.Bytes()))
		j, err = actions.NewJournal(resumed)
		require.NoError(t, err)
		run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Concurrency: 2, Mailer: box})
		require.NoError(t, err, "cut %d", cut)
		counts := box.perUser()
		for _, up := range plan.Users {
			assert.Equal(t, 1, counts[up.User.Email], "cut %d: %s: %s", cut, up.User.Email, run.Summary())
		}
		for _, r := range run.Results {
			if r.Outcome == actions.Failed {
				assert.ErrorIs(t, r.Err, actions.ErrInDoubt, "cut %d: only a mail that may have gone fails", cut)
				inDoubt++
			}
		}
		// A third run of the same journal (what the crashed run wrote,
		// then what the resumed one appended) sends nothing more.
		j, err = actions.NewJournal(bytes.NewBuffer(slices.Concat(w.Bytes(), resumed.Bytes())))
		require.NoError(t, err)
		_, err = actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Mailer: box})
		require.NoError(t, err)
		assert.Equal(t, counts, box.perUser(), "cut %d", cut)
	}
	assert.Positive(t, inDoubt, "some cut fell between a mail and its outcome")
}

// TestNotifyCancelledMidRun: a run cancelled while a mail is being sent
// is resumed without sending that mail (nor any other) twice; mails that
// failed before sending (no mail server) are sent on resume.
func TestNotifyCancelledMidRun(t *testing.T) {
	t.Parallel()
	_, c := dcSite(t, &jiratest.Org{Users: people(9)})
	p := warnPolicy(t, `active && daysSinceLastLogin > 0`)
	plan := planOn(t, c, []actions.Policy{p}, actions.PlanOptions{Site: "https://jira.example.com"})
	var buf bytes.Buffer
	j, err := actions.NewJournal(&buf)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	box := &mailbox{after: func(n int) error {
		if n == 2 {
			cancel()
			return context.Canceled
		}
		return nil
	}}
	_, err = actions.Apply(ctx, site{c}, plan, actions.ApplyOptions{Journal: j, Concurrency: 1, Mailer: box})
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, box.sent, 2)
	box.after = nil
	j, err = actions.NewJournal(bytes.NewBuffer(buf.Bytes()))
	require.NoError(t, err)
	run, err := actions.Apply(t.Context(), site{c}, plan, actions.ApplyOptions{Journal: j, Mailer: box, Now: func() time.Time { return now }})
	require.NoError(t, err)
	for _, up := range plan.Users {
		assert.Equal(t, 1, box.perUser()[up.User.Email], up.User.Email)
	}
	assert.Equal(t, 1, run.Counts[actions.Failed], "the mail cancelled mid-send is in doubt: %s", run.Summary())

	// Undo cannot take a mail back: it says so.
	undo, err := actions.Undo(j.Entries(), actions.UndoOptions{Now: now})
	require.NoError(t, err)
	var mails int
	for _, s := range undo.NotUndoable {
		if strings.Contains(s, ": notify ") {
			mails++
		}
	}
	assert.Equal(t, len(plan.Users)-1, mails, "every mail sent (the one in doubt was not applied): %v", undo.NotUndoable)
	assert.Equal(t, len(plan.Users)-1, undo.Counts[actions.KindDeleteProperty], "the marks are undone")
}
