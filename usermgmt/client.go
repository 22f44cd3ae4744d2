package usermgmt

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/seatwarden/seatwarden/jira"
)

// Client is what usermgmt needs from a Jira site: the flavour-neutral
// surface that *datacenter.Client and *cloud.Client both have. [Connect]
// returns one; tests may pass their own.
type Client interface {
	// Flavor says which kind of Jira the site is.
	Flavor() jira.Flavor
	// Myself is the account the client runs as.
	Myself(ctx context.Context) (jira.User, error)
	// User reads one user as it is now, with all its groups and licences.
	User(ctx context.Context, ref jira.UserRef) (jira.User, error)
	// Snapshot streams the site's users with what opts asks for.
	Snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error]
	// GroupMembers streams the members of a group.
	GroupMembers(ctx context.Context, group string) iter.Seq2[jira.User, error]

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
	// Issue reads an issue, e.g. an approval issue's status.
	Issue(ctx context.Context, keyOrID string) (jira.Issue, error)
}
