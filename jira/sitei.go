package jira

import (
	"context"
	"encoding/json"
	"iter"
)

// Site is the flavour-neutral surface that both clients satisfy:
// *datacenter.Client and *cloud.Client implement it with the same
// meaning, so code above the clients (usermgmt, report, the example
// programs) never needs to know which flavour it talks to. Each client
// package asserts at compile time that its Client is a Site.
//
// These methods take and return the model ([User], [UserRef],
// [SnapshotOptions], [IssueRequest], [Issue]) and each does one whole
// job: Deactivate on Cloud picks between disabling the account and
// suspending it in its directory, AddToGroup is idempotent, and so on.
// They are distinct from the clients' low-level services (c.Users,
// c.Groups, …), whose methods are wire-shaped: one request, the flavour's
// own types, the [*Response] returned. c.Delete is the Site method;
// c.Users.Delete is the request.
//
// The methods that take a [UserRef] refuse one of the other flavour with
// an error matching [ErrWrongFlavor] before any request.
type Site interface {
	// Flavor says which kind of Jira the site is.
	Flavor() Flavor
	// Myself is the account the client runs as.
	Myself(ctx context.Context) (User, error)
	// User reads one user as it is now, with all its groups and licences.
	User(ctx context.Context, ref UserRef) (User, error)
	// Snapshot streams the site's users with what opts asks for.
	Snapshot(ctx context.Context, opts SnapshotOptions) iter.Seq2[User, error]
	// GroupMembers streams the members of a group.
	GroupMembers(ctx context.Context, group string) iter.Seq2[User, error]

	// AddToGroup adds the user to the group; already a member is success.
	AddToGroup(ctx context.Context, ref UserRef, group string) error
	// RemoveFromGroup removes the user from the group; not a member is
	// success.
	RemoveFromGroup(ctx context.Context, ref UserRef, group string) error
	// Deactivate stops the user from logging in and frees the seat.
	Deactivate(ctx context.Context, ref UserRef) error
	// Reactivate undoes Deactivate.
	Reactivate(ctx context.Context, ref UserRef) error
	// Delete deletes the user.
	Delete(ctx context.Context, ref UserRef) error
	// ResetPassword sets the user's password (DC only; Cloud answers an
	// error matching [ErrUnsupported]).
	ResetPassword(ctx context.Context, ref UserRef, password Secret) error
	// InvalidateSessions logs the user out everywhere (Jira DC 10+;
	// elsewhere an error matching [ErrUnsupported]).
	InvalidateSessions(ctx context.Context, ref UserRef) error
	// SetProperty writes a user property (valid JSON).
	SetProperty(ctx context.Context, ref UserRef, key string, value json.RawMessage) error
	// DeleteProperty removes a user property; not there is success.
	DeleteProperty(ctx context.Context, ref UserRef, key string) error
	// GrantLicence gives the user access to an application, e.g.
	// "jira-software".
	GrantLicence(ctx context.Context, ref UserRef, application string) error
	// RevokeLicence removes the user's access to an application.
	RevokeLicence(ctx context.Context, ref UserRef, application string) error
	// CreateIssue files an issue, e.g. an approval request.
	CreateIssue(ctx context.Context, r IssueRequest) (Issue, error)
	// Issue reads an issue, e.g. an approval issue's status.
	Issue(ctx context.Context, keyOrID string) (Issue, error)
}

// BulkUserReader is an optional method of a [Site]: reading several users
// as they are now, each with what [Site.User] gives, in fewer requests
// than one per user. The result has an entry for each reference to a
// user that exists, keyed by the reference's value; a user that no longer
// exists is absent. The stale re-check before applying a plan uses it
// when the site has it. *cloud.Client has it (user/bulk and the Admin
// search, hundreds of users a request); Jira DC has no bulk user read.
type BulkUserReader interface {
	ReadUsers(ctx context.Context, refs []UserRef) (map[string]User, error)
}
