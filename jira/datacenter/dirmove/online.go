package dirmove

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/datacenter"
)

// OnlineSite is the part of Jira's REST API [ApplyOnline] uses;
// [ClientSite] gives it for a *datacenter.Client.
type OnlineSite interface {
	// CreateUser creates a user in the first writable directory, with a
	// password Jira picks and no application access of its own.
	CreateUser(ctx context.Context, name, displayName, email string) error
	CreateGroup(ctx context.Context, name string) error
	AddToGroup(ctx context.Context, user, group string) error
	// Duplicated is GET /rest/api/2/user/duplicated/list, flushed.
	Duplicated(ctx context.Context) (map[string][]datacenter.DuplicateAccount, error)
}

// ClientSite is c as an [OnlineSite].
func ClientSite(c *datacenter.Client) OnlineSite { return clientSite{c} }

type clientSite struct{ c *datacenter.Client }

func (s clientSite) CreateUser(ctx context.Context, name, displayName, email string) error {
	_, _, err := s.c.Users.Create(ctx, &datacenter.CreateRequest{Name: name, DisplayName: displayName, EmailAddress: email, ApplicationKeys: []string{}})
	return err
}

func (s clientSite) CreateGroup(ctx context.Context, name string) error {
	_, _, err := s.c.Groups.Create(ctx, name)
	return err
}

func (s clientSite) AddToGroup(ctx context.Context, user, group string) error {
	_, err := s.c.Groups.AddUser(ctx, group, user)
	return err
}

func (s clientSite) Duplicated(ctx context.Context) (map[string][]datacenter.DuplicateAccount, error) {
	m, _, err := s.c.Users.Duplicated(ctx, true)
	return m, err
}

// shadowedBy reports whether name's effective account is active in
// directory to and another account of the name is behind it.
func shadowedBy(dups map[string][]datacenter.DuplicateAccount, name string, to Directory) bool {
	for k, as := range dups {
		if strings.EqualFold(k, name) && len(as) > 1 && as[0].DirectoryID == to.ID && as[0].UserActive {
			return true
		}
	}
	return false
}

// ApplyOnline carries out the plan's online moves (Way "online") through
// Jira's REST API on the running site: for each user, it creates a user
// of the same name — Jira puts it in the first writable directory, the
// target, which comes before the source, so the new user shadows the old
// one and keeps its key — adds it to its planned groups (creating a group
// Jira does not know), and verifies through
// GET /user/duplicated/list that the name's first account is now active
// in the target. A user already shadowed there is skipped, so a rerun
// continues where a failed run stopped. It is not one transaction: it
// stops at the first error, and the journal says which users are done.
// The new record has a new id, none of the old attributes (last login,
// login count) and a password Jira picked: the users reset it.
func ApplyOnline(ctx context.Context, site OnlineSite, p *Plan, opt ApplyOptions) (Result, error) {
	var res Result
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	var moves []Move
	for _, m := range p.Moves {
		if m.Way == "online" {
			moves = append(moves, m)
		}
	}
	if len(moves) == 0 {
		return res, nil
	}
	if !strings.HasPrefix(p.Online, "possible") {
		return res, refusef("the plan moves users online, but: %s", p.Online)
	}
	journal := func(e JournalEntry) {
		if opt.Journal != nil {
			e.Time, e.Operation, e.From, e.To = now().UTC(), "online", p.From.ID, p.To.ID
			_ = json.NewEncoder(opt.Journal).Encode(e)
		}
	}
	dups, err := site.Duplicated(ctx)
	if err != nil {
		return res, fmt.Errorf("dirmove: online: reading duplicated users: %w", err)
	}
	for i, m := range moves {
		name := m.User.Name
		if shadowedBy(dups, name, p.To) {
			journal(JournalEntry{User: name, UserID: m.User.ID, Outcome: "already moved"})
			continue
		}
		if err := site.CreateUser(ctx, name, m.User.Display, m.User.Email); err != nil {
			journal(JournalEntry{User: name, UserID: m.User.ID, Outcome: "failed", Error: err.Error()})
			return res, fmt.Errorf("dirmove: online: creating %s in %s: %w", name, p.To.Name, err)
		}
		for _, ms := range m.Memberships {
			// Jira resolves a group name across directories; a group the
			// target lacks is created (in the first writable directory, the
			// target) only when Jira does not know the name at all.
			err := site.AddToGroup(ctx, name, ms.ToGroup)
			if errors.Is(err, jira.ErrNotFound) {
				if err = site.CreateGroup(ctx, ms.ToGroup); err == nil {
					err = site.AddToGroup(ctx, name, ms.ToGroup)
				}
			}
			if err != nil {
				journal(JournalEntry{User: name, UserID: m.User.ID, Outcome: "failed", Error: err.Error()})
				return res, fmt.Errorf("dirmove: online: adding %s to %s: %w", name, ms.ToGroup, err)
			}
		}
		journal(JournalEntry{User: name, UserID: m.User.ID, Outcome: "created"})
		res.Users++
		if opt.Progress != nil {
			opt.Progress(i+1, len(moves))
		}
	}
	dups, err = site.Duplicated(ctx)
	if err != nil {
		return res, fmt.Errorf("dirmove: online: verifying: %w", err)
	}
	var probs []Problem
	for _, m := range moves {
		if shadowedBy(dups, m.User.Name, p.To) {
			journal(JournalEntry{User: m.User.Name, UserID: m.User.ID, Outcome: "verified"})
		} else {
			probs = append(probs, Problem{User: m.User.Name, Reason: "not shown active in " + p.To.Name + " ahead of " + p.From.Name + " by GET /user/duplicated/list"})
		}
	}
	if len(probs) > 0 {
		return res, &VerifyError{Problems: probs, Online: true}
	}
	return res, nil
}
