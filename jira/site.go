package jira

// These types are the flavour-neutral vocabulary of the clients: what a
// snapshot should collect, and the issues Seatwarden files (approvals,
// reports). Both jira/datacenter and jira/cloud take and return them, so
// code above the clients never needs to know which flavour it talks to.

// SnapshotOptions says what a snapshot collects besides each user's
// identity, name, email, active flag and account type. Everything not
// asked for costs nothing; each field's comment says what it costs.
type SnapshotOptions struct {
	// Groups lists the groups whose membership to fill into
	// [User.Groups]. The clients read the members of just these groups
	// (pages of 50), not the groups of every user.
	Groups []string
	// OptionalGroups are like Groups, except that a group the site does
	// not have is taken as empty rather than an error: for groups that
	// exist on some sites only, such as the administrators groups a tool
	// protects. (A group named in a criterion belongs in Groups, where a
	// typo is an error, not an empty group.)
	OptionalGroups []string
	// AllGroups fills in every group of every user. It lists every group
	// and all their members: use Groups when the groups are known.
	AllGroups bool
	// Licences fills in [User.Licences] from the application roles'
	// groups (one request for the roles, then the members of their groups).
	Licences bool
	// LastLogin fills in [User.LastLogin] (and on Cloud [User.LastActive],
	// [User.Created]): free on DC 10+, where user listings carry it; on
	// Cloud it comes from the Admin API's directory users, so it needs an
	// organisation API key. Where the site cannot say, it stays unknown.
	LastLogin bool
	// Properties lists the user properties to fill into [User.Properties]:
	// one request per user and key, since Jira has no bulk read.
	Properties []string
	// ActiveOnly leaves out inactive users.
	ActiveOnly bool
	// AllowPartial lets a snapshot go on when the site cannot list every
	// user (Jira DC 10.0 to 10.2 without a login source: no REST call
	// enumerates users there). The snapshot then yields the users it can
	// see and sets Result.Partial. Without it such a snapshot fails with an
	// [*IncompleteError] before yielding any user, so a plan is never
	// computed on a fraction of the org by accident.
	AllowPartial bool `json:"-"`
	// Result, when not nil, is filled in as the snapshot ends: how the
	// users were enumerated and whether some could not be seen.
	Result *SnapshotResult `json:"-"`
}

// SnapshotResult is what a snapshot says about itself.
type SnapshotResult struct {
	// Enumeration says how the users were listed, e.g.
	// "GET /rest/api/2/user/list".
	Enumeration string
	// Partial is true when some users of the site could not be seen
	// (only with [SnapshotOptions.AllowPartial]); Unseen says which.
	// Counts and percentages computed on a partial snapshot are wrong.
	Partial bool
	Unseen  string
}

// IssueRequest is an issue to create: the approval request for a plan, or
// a report.
type IssueRequest struct {
	Project   string // project key, e.g. "OPS"
	IssueType string // issue type name, e.g. "Task"
	Summary   string
	// Description is plain text; the Cloud client turns it into the
	// Atlassian Document Format, paragraph by paragraph.
	Description string
	Labels      []string
	// Assignee, when not zero, is who the issue is assigned to.
	Assignee UserRef
}

// Issue is an issue as the clients return it.
type Issue struct {
	ID  string `json:"id"`
	Key string `json:"key"`
	// Summary is the issue's summary (read, not only created, by Issue).
	Summary string `json:"summary,omitempty"`
	Status  string `json:"status,omitempty"` // status name, e.g. "Approved"
	// StatusID is the status's id, e.g. "10002".
	StatusID string `json:"statusId,omitempty"`
}
