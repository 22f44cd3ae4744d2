package actions

import (
	"context"
	"encoding/json"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// Matcher selects users. A compiled criterion (*criteria.Program) satisfies
// it, so package actions needs no import of criteria. Match must not
// write anything: it is called while planning, which is a dry run.
type Matcher interface {
	Match(ctx context.Context, u *jira.User) (bool, error)
}

// Explainer is a [Matcher] that can say why it matched a user. When a
// policy's matcher implements it, the plan records the explanation for
// every selected user.
type Explainer interface {
	Why(u *jira.User, now time.Time) string
}

// MatcherFunc adapts a function to a [Matcher].
type MatcherFunc func(ctx context.Context, u *jira.User) (bool, error)

// Match calls f.
func (f MatcherFunc) Match(ctx context.Context, u *jira.User) (bool, error) { return f(ctx, u) }

// Site is what applying a plan needs from a Jira site: the flavour-neutral
// methods that both *datacenter.Client and *cloud.Client have. The methods
// that take a [jira.UserRef] refuse one of the wrong flavour.
type Site interface {
	Flavor() jira.Flavor
	// Myself is the account the tool runs as, which is never written to.
	Myself(ctx context.Context) (jira.User, error)
	// User reads a user as it is now, with all its groups and licences.
	User(ctx context.Context, ref jira.UserRef) (jira.User, error)
	AddToGroup(ctx context.Context, ref jira.UserRef, group string) error
	RemoveFromGroup(ctx context.Context, ref jira.UserRef, group string) error
	Deactivate(ctx context.Context, ref jira.UserRef) error
	Reactivate(ctx context.Context, ref jira.UserRef) error
	Delete(ctx context.Context, ref jira.UserRef) error
	ResetPassword(ctx context.Context, ref jira.UserRef, password jira.Secret) error
	InvalidateSessions(ctx context.Context, ref jira.UserRef) error
	SetProperty(ctx context.Context, ref jira.UserRef, key string, value json.RawMessage) error
	DeleteProperty(ctx context.Context, ref jira.UserRef, key string) error
	GrantLicence(ctx context.Context, ref jira.UserRef, application string) error
	RevokeLicence(ctx context.Context, ref jira.UserRef, application string) error
	CreateIssue(ctx context.Context, r jira.IssueRequest) (jira.Issue, error)
}

// PropertyReader is an optional method of a [Site]: reading one user
// property, with an error matching [jira.ErrNotFound] when it is not set.
// When the site has it, a set-property or delete-property step whose
// outcome a crash left unknown is checked instead of written again, and
// the previous value of a property is read before it is overwritten, so
// that [Undo] can restore it.
type PropertyReader interface {
	Property(ctx context.Context, ref jira.UserRef, key string) (json.RawMessage, error)
}
