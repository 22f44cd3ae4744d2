package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"time"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
	"github.com/seatwarden/seatwarden/jira/internal/transport"
)

// The Cloud client's jira.Site methods: whole jobs in the model's types,
// on Jira Cloud and the Admin API (jira/datacenter has the same methods).

// Myself returns the user the client authenticates as, with its groups and
// licences, and, with the Admin API, its last activity.
//
// Cloud: GET /rest/api/3/myself?expand=groups,applicationRoles
func (c *Client) Myself(ctx context.Context) (jira.User, error) {
	u, _, err := c.Users.Myself(ctx)
	if err != nil {
		return jira.User{}, err
	}
	m := u.Model()
	if err := c.addAdminData(ctx, &m); err != nil {
		return jira.User{}, err
	}
	return m, nil
}

// User reads one user as it is now, with all its groups and licences. With
// the Admin API ([WithAdmin]) it also searches the organisation's
// directories for the user with its product access, for the last login
// (the latest product activity), the activity per product, when the user
// joined the organisation and the email when the profile hides it. When
// the search sends no productAccess for the user, the v1 last-active
// dates are read instead. Without the Admin API, and for a user the
// directories do not list, last login is unknown.
//
// Cloud: GET /rest/api/3/user?expand=groups,applicationRoles
// Admin: POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search
// {"accountIds":[…],"expand":["productAccess"]} per directory until found,
// and maybe GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates
func (c *Client) User(ctx context.Context, ref jira.UserRef) (jira.User, error) {
	u, _, err := c.Users.Get(ctx, ref, &GetOptions{Groups: true, ApplicationRoles: true})
	if err != nil {
		return jira.User{}, err
	}
	m := u.Model()
	if err := c.addAdminData(ctx, &m); err != nil {
		return jira.User{}, err
	}
	return m, nil
}

// addAdminData fills in what the Admin API knows about m, when the client
// has it.
func (c *Client) addAdminData(ctx context.Context, m *jira.User) error {
	if c.admin == nil || m.AccountID == "" {
		return nil
	}
	ref := jira.AccountID(m.AccountID)
	dirs, err := c.directories(ctx)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		found, _, err := c.Admin.Search(ctx, d.DirectoryID, &SearchRequest{
			AccountIDs: []string{m.AccountID}, Expand: []string{"productAccess"}, Limit: 1})
		if err != nil {
			return fmt.Errorf("cloud: %s in directory %q: %w", ref, d.Name, err)
		}
		i := slices.IndexFunc(found, func(du DirectoryUser) bool { return du.AccountID == m.AccountID })
		if i < 0 {
			continue
		}
		fillDirUser(m, &found[i], d.Name)
		if found[i].ProductAccess == nil {
			if m.LastLogin, m.LastActive, err = c.lastActiveDates(ctx, ref); err != nil {
				return err
			}
		}
		return nil
	}
	return nil // not in the organisation's directories: unknown
}

// lastActiveDates reads the v1 last-active dates of one user: the
// fallback when the search sends no productAccess. A user the endpoint
// does not know keeps last active unknown; an empty product list is
// documented as "has not accessed a product": never.
func (c *Client) lastActiveDates(ctx context.Context, ref jira.UserRef) (jira.LastLogin, map[string]time.Time, error) {
	d, _, err := c.Admin.LastActiveDates(ctx, ref)
	if errors.Is(err, jira.ErrNotFound) {
		return jira.LastLogin{}, nil, nil
	}
	if err != nil {
		return jira.LastLogin{}, nil, fmt.Errorf("cloud: last-active dates of %s: %w", ref, err)
	}
	last := jira.NeverLoggedIn()
	var products map[string]time.Time
	for _, p := range d.ProductAccess {
		t, err := time.Parse(time.DateOnly, p.LastActive)
		if err != nil {
			continue
		}
		if products == nil {
			products = make(map[string]time.Time, len(d.ProductAccess))
		}
		products[p.Key] = t
		if t.After(last.Time) {
			last = jira.LoggedInAt(t)
		}
	}
	return last, products, nil
}

// directories returns the organisation's directories, read once.
func (c *Client) directories(ctx context.Context) ([]Directory, error) {
	c.dirMu.Lock()
	defer c.dirMu.Unlock()
	if c.dirs != nil {
		return c.dirs, nil
	}
	dirs, _, err := c.Admin.Directories(ctx)
	if err != nil {
		return nil, err
	}
	c.dirs = dirs
	return dirs, nil
}

// dirUser finds the user in the organisation's directories: one request
// per directory tried. The error matches [jira.ErrNotFound] when no
// directory has the user.
func (c *Client) dirUser(ctx context.Context, ref jira.UserRef) (*DirectoryUser, Directory, error) {
	dirs, err := c.directories(ctx)
	if err != nil {
		return nil, Directory{}, err
	}
	for _, d := range dirs {
		du, _, err := c.Admin.User(ctx, d.DirectoryID, ref)
		if errors.Is(err, jira.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, Directory{}, err
		}
		return du, d, nil
	}
	return nil, Directory{}, fmt.Errorf("cloud: %s is in none of the organisation's %d directories: %w", ref, len(dirs), jira.ErrNotFound)
}

// GroupMembers walks the members of a group, inactive ones included.
//
// Cloud: GET /rest/api/3/group/member?includeInactiveUsers=true (50 a page)
func (c *Client) GroupMembers(ctx context.Context, group string) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		for u, err := range c.Groups.AllMembers(ctx, jira.Group{Name: group}, &MembersOptions{IncludeInactive: true}) {
			if err != nil {
				yield(jira.User{}, err)
				return
			}
			if !yield(u.Model(), nil) {
				return
			}
		}
	}
}

// isMember reads whether the user is in the group now.
func (c *Client) isMember(ctx context.Context, ref jira.UserRef, group jira.Group) (bool, error) {
	groups, _, err := c.Users.Groups(ctx, ref)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(groups, func(g GroupName) bool {
		return group.ID != "" && g.GroupID == group.ID || group.ID == "" && g.Name == group.Name
	}), nil
}

func isBadRequest(err error) bool {
	e, ok := errors.AsType[*jira.APIError](err)
	return ok && e.StatusCode == http.StatusBadRequest
}

// join adds the user to the group; an existing member is not an error.
func (c *Client) join(ctx context.Context, ref jira.UserRef, group jira.Group) error {
	_, err := c.Groups.AddUser(ctx, group, ref)
	if isBadRequest(err) {
		if member, merr := c.isMember(ctx, ref, group); merr == nil && member {
			return nil
		}
	}
	return err
}

// leave removes the user from the group; a non-member is not an error.
func (c *Client) leave(ctx context.Context, ref jira.UserRef, group jira.Group) error {
	_, err := c.Groups.RemoveUser(ctx, group, ref)
	if isBadRequest(err) {
		if member, merr := c.isMember(ctx, ref, group); merr == nil && !member {
			return nil
		}
	}
	return err
}

// AddToGroup adds a user to a group. It is idempotent: Jira refuses to add
// a member twice (400), and then AddToGroup checks the membership and
// returns nil.
//
// Cloud: POST /rest/api/3/group/user
func (c *Client) AddToGroup(ctx context.Context, ref jira.UserRef, group string) error {
	return c.join(ctx, ref, jira.Group{Name: group})
}

// RemoveFromGroup removes a user from a group. It is idempotent: when
// Jira refuses because the user is not a member (400), it checks and
// returns nil.
//
// Cloud: DELETE /rest/api/3/group/user
func (c *Client) RemoveFromGroup(ctx context.Context, ref jira.UserRef, group string) error {
	return c.leave(ctx, ref, jira.Group{Name: group})
}

// Deactivate stops the user from using the site, through the Admin API
// (it needs [WithAdmin]; without it the error matches
// [jira.ErrUnsupported]). It is [Client.DeactivateUser] without the
// report of the path taken.
func (c *Client) Deactivate(ctx context.Context, ref jira.UserRef) error {
	_, err := c.DeactivateUser(ctx, ref)
	return err
}

// The paths [Client.DeactivateUser] takes.
const (
	PathDisabled  = "disabled"  // the account was disabled (lifecycle disable)
	PathSuspended = "suspended" // the user's access was suspended in its directory
	PathAlready   = "already"   // the user was deactivated or suspended before
	PathNone      = "none"      // nothing was done: see the error
)

// Deactivation reports what [Client.DeactivateUser] did to one user.
type Deactivation struct {
	// Path is [PathDisabled], [PathSuspended], [PathAlready] or [PathNone].
	Path string
	// Status is the user's Admin status before (e.g. "active").
	Status string
	// Reason says why the account was suspended rather than disabled:
	// unmanaged, synced from an identity provider, a restriction reason
	// key, or the user management API's 403. Empty when disabled.
	Reason string
}

// ErrNotActionable matches the error for a user whose Admin status is
// not_invited (in none of the organisation's directories) or for_deletion
// (scheduled for deletion): [Client.DeactivateUser] and
// [Client.Reactivate] report it and change nothing.
var ErrNotActionable = errors.New("cloud: the account's status leaves nothing to do")

// DeactivateUser stops the user from using the site and says how. It reads
// the directory user first, then:
//
//   - status not_invited or for_deletion: nothing is done; the error
//     matches [ErrNotActionable];
//   - already deactivated or suspended: nothing is done ([PathAlready]);
//   - a managed account (claimStatus managed) not synced from an identity
//     provider is disabled ([PathDisabled]): the Atlassian account is
//     deactivated everywhere;
//   - otherwise — unmanaged, synced (SCIM), or the user management API
//     refuses with 403 (lifecycle.enablement not allowed, the account is
//     not the organisation's, or the API key was created with scopes) —
//     the user is suspended in its directory ([PathSuspended]): it loses
//     access to the organisation's products, keeps its groups and is no
//     longer billed. Reason says why.
//
// Either way Jira then reports the user inactive.
//
// Two requests a user (three when the user management API refuses), and
// one for the directories, once per client. When [Client.ReadUsers] read
// the user less than 5 minutes before (the re-check before a plan's
// writes), its directory user stands in for the first read, once: one
// request a user.
//
// Admin: GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}, then
// POST /users/{accountId}/manage/lifecycle/disable {} for a managed account, and/or
// POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/suspend {}
func (c *Client) DeactivateUser(ctx context.Context, ref jira.UserRef) (Deactivation, error) {
	out := Deactivation{Path: PathNone}
	if err := ref.Check(jira.Cloud); err != nil {
		return out, err
	}
	if err := c.needAdmin("Deactivate"); err != nil {
		return out, err
	}
	du, dir, ok := c.recentDirUser(ref)
	var err error
	if !ok {
		if du, dir, err = c.dirUser(ctx, ref); err != nil {
			return out, err
		}
	}
	out.Status = du.Status
	switch {
	case du.Status == StatusNotInvited || du.Status == StatusForDeletion:
		return out, fmt.Errorf("cloud: %s has status %s; not deactivated: %w", ref, du.Status, ErrNotActionable)
	case du.AccountStatus == AccountInactive || du.MembershipStatus == MembershipSuspended ||
		du.Status == StatusDeactivated || du.Status == StatusSuspended:
		out.Path = PathAlready
		return out, nil
	}
	out.Reason, err = c.disable(ctx, ref, du)
	if err != nil {
		return out, err
	}
	if out.Reason == "" {
		out.Path = PathDisabled
		c.logPath(ctx, ref, out)
		return out, nil
	}
	if _, err := c.Admin.Suspend(ctx, dir.DirectoryID, ref); err != nil {
		return out, err
	}
	out.Path = PathSuspended
	c.logPath(ctx, ref, out)
	return out, nil
}

// disable disables a managed account not synced from an identity
// provider, asking the user management API directly: its 403 (the
// privilege is not allowed, or the key has scopes) is the answer
// GET /users/{accountId}/manage would have given, one request sooner. It
// returns why it did not disable ("" when it did); an error only for a
// failure other than the API's refusal.
func (c *Client) disable(ctx context.Context, ref jira.UserRef, du *DirectoryUser) (string, error) {
	switch {
	case du.ClaimStatus != "managed":
		return "unmanaged account", nil
	case du.ManagementSource == "synced":
		return "synced from an identity provider", nil
	}
	_, err := c.Admin.Disable(ctx, ref, "")
	if errors.Is(err, ErrLifecycleNotAllowed) {
		return "lifecycle not allowed: user management API answered 403 " + refusalKey(err), nil
	}
	return "", err
}

// refusalKey returns the reason key of a user management API refusal
// ({"key":"forbidden"}), or "" when the body has none.
func refusalKey(err error) string {
	e, ok := errors.AsType[*jira.APIError](err)
	if !ok {
		return ""
	}
	var body struct {
		Key string `json:"key"`
	}
	if json.Unmarshal(e.Body, &body) != nil {
		return ""
	}
	return body.Key
}

func (c *Client) logPath(ctx context.Context, ref jira.UserRef, d Deactivation) {
	if c.log != nil {
		c.log.InfoContext(ctx, "cloud: deactivated", "user", ref.String(), "path", d.Path, "reason", d.Reason)
	}
}

// Reactivate undoes [Client.Deactivate], whichever way it went: it
// enables a disabled account (accountStatus inactive; only for managed
// accounts the organisation may change) and restores a suspended
// membership — both, for a user who was both (status deactivated hides a
// suspension) — then reads the user again and fails unless the status is
// active. A user who is neither is left alone; one whose status is
// not_invited or for_deletion is reported ([ErrNotActionable]) and left
// alone. A 403 from the user management API matches
// [ErrLifecycleNotAllowed]. It needs [WithAdmin].
//
// Admin: GET /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}, then
// POST /users/{accountId}/manage/lifecycle/enable {} and/or
// POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}/restore {},
// then the GET again
func (c *Client) Reactivate(ctx context.Context, ref jira.UserRef) error {
	if err := ref.Check(jira.Cloud); err != nil {
		return err
	}
	if err := c.needAdmin("Reactivate"); err != nil {
		return err
	}
	du, dir, err := c.dirUser(ctx, ref)
	if err != nil {
		return err
	}
	if du.Status == StatusNotInvited || du.Status == StatusForDeletion {
		return fmt.Errorf("cloud: %s has status %s; not reactivated: %w", ref, du.Status, ErrNotActionable)
	}
	disabled := du.AccountStatus == AccountInactive
	suspended := du.MembershipStatus == MembershipSuspended || du.Status == StatusSuspended
	if !disabled && !suspended {
		return nil
	}
	if disabled {
		if _, err := c.Admin.Enable(ctx, ref); err != nil {
			return err
		}
	}
	if suspended {
		if _, err := c.Admin.Restore(ctx, dir.DirectoryID, ref); err != nil {
			return err
		}
	}
	now, _, err := c.Admin.User(ctx, dir.DirectoryID, ref)
	if err != nil {
		return fmt.Errorf("cloud: re-reading %s after reactivating: %w", ref, err)
	}
	if now.Status != StatusActive {
		return fmt.Errorf("cloud: %s still has status %s (accountStatus %s, membershipStatus %s) after reactivating",
			ref, now.Status, now.AccountStatus, now.MembershipStatus)
	}
	return nil
}

// Delete removes the user from the Jira site only: out of every group and
// gone from Jira's REST API. The Atlassian account is neither deleted nor
// deactivated and stays in the organisation (see [AdminService.Remove]).
//
// Cloud: DELETE /rest/api/3/user
func (c *Client) Delete(ctx context.Context, ref jira.UserRef) error {
	_, err := c.Users.Delete(ctx, ref)
	return err
}

// ResetPassword is not possible on Cloud: passwords belong to the
// Atlassian account or the identity provider, and no REST API resets one.
// The error matches [jira.ErrUnsupported] (or [jira.ErrWrongFlavor] for a
// DC reference).
func (c *Client) ResetPassword(_ context.Context, ref jira.UserRef, _ jira.Secret) error {
	if err := ref.Check(jira.Cloud); err != nil {
		return err
	}
	return fmt.Errorf("cloud: passwords belong to the Atlassian account or identity provider; no REST API resets one: %w", jira.ErrUnsupported)
}

// InvalidateSessions is not possible on Cloud: no public REST API logs a
// user out. The error matches [jira.ErrUnsupported] (or
// [jira.ErrWrongFlavor] for a DC reference); [Client.Deactivate] ends the
// user's access instead.
func (c *Client) InvalidateSessions(_ context.Context, ref jira.UserRef) error {
	if err := ref.Check(jira.Cloud); err != nil {
		return err
	}
	return fmt.Errorf("cloud: no REST API ends a user's sessions: %w", jira.ErrUnsupported)
}

// SetProperty writes a user property.
//
// Cloud: PUT /rest/api/3/user/properties/{propertyKey}
func (c *Client) SetProperty(ctx context.Context, ref jira.UserRef, key string, value json.RawMessage) error {
	_, err := c.Properties.Set(ctx, ref, key, value)
	return err
}

// Property reads one user property: an error matching [jira.ErrNotFound]
// when it is not set (or the user does not exist). Apply reads a
// property before overwriting it (undo restores it), and checks a
// property step whose outcome a crash lost instead of writing it again.
//
// Cloud: GET /rest/api/3/user/properties/{propertyKey}
func (c *Client) Property(ctx context.Context, ref jira.UserRef, key string) (json.RawMessage, error) {
	v, _, err := c.Properties.Get(ctx, ref, key)
	return v, err
}

// DeleteProperty removes a user property; a property that is not there is
// not an error.
//
// Cloud: DELETE /rest/api/3/user/properties/{propertyKey}
func (c *Client) DeleteProperty(ctx context.Context, ref jira.UserRef, key string) error {
	return c.Properties.DeleteIdempotent(ctx, ref, key, func(ctx context.Context, ref jira.UserRef) error {
		_, _, err := c.Users.Get(ctx, ref, nil)
		return err
	})
}

// GrantLicence gives the user access to a product, e.g. "jira-software",
// by adding the user to the role's default groups (defaultGroupsDetails).
// A user already there is not an error.
//
// Cloud: GET /rest/api/3/applicationrole/{key}, POST /rest/api/3/group/user
func (c *Client) GrantLicence(ctx context.Context, ref jira.UserRef, application string) error {
	if err := ref.Check(jira.Cloud); err != nil {
		return err
	}
	role, _, err := c.Roles.Get(ctx, application)
	if err != nil {
		return err
	}
	groups := role.defaultGroups()
	if len(groups) == 0 {
		return fmt.Errorf("cloud: application role %q has no default group to join", application)
	}
	for _, g := range groups {
		if err := c.join(ctx, ref, g); err != nil {
			return err
		}
	}
	return nil
}

// RevokeLicence removes the user's access to a product: it takes the user
// out of every group of the role the user is in. Access that comes from
// elsewhere (an admin role in the organisation) is not changed.
//
// Cloud: GET /rest/api/3/applicationrole/{key}, GET /rest/api/3/user/groups,
// DELETE /rest/api/3/group/user
func (c *Client) RevokeLicence(ctx context.Context, ref jira.UserRef, application string) error {
	if err := ref.Check(jira.Cloud); err != nil {
		return err
	}
	role, _, err := c.Roles.Get(ctx, application)
	if err != nil {
		return err
	}
	in, _, err := c.Users.Groups(ctx, ref)
	if err != nil {
		return err
	}
	for _, g := range role.groups() {
		if !slices.ContainsFunc(in, func(x GroupName) bool { return x.GroupID == g.ID && g.ID != "" || x.Name == g.Name }) {
			continue
		}
		if err := c.leave(ctx, ref, g); err != nil {
			return err
		}
	}
	return nil
}

// CreateIssue files an issue; the description becomes an Atlassian
// Document with a paragraph per line.
//
// Cloud: POST /rest/api/3/issue
func (c *Client) CreateIssue(ctx context.Context, r jira.IssueRequest) (jira.Issue, error) {
	return rest.CreateIssue(ctx, c.Issues, r)
}

// Issue reads an issue's status.
//
// Cloud: GET /rest/api/3/issue/{issueIdOrKey}
func (c *Client) Issue(ctx context.Context, keyOrID string) (jira.Issue, error) {
	return rest.ReadIssue(ctx, c.Issues, keyOrID)
}

// fillDirUser adds what the directory user says to m: last login, last
// active per product, when the user joined the organisation, the
// directory, and the email when Jira hides it.
func fillDirUser(m *jira.User, du *DirectoryUser, dir string) {
	m.LastLogin, m.LastActive = du.LastActive()
	m.Created = du.Added()
	m.Directory = dir
	if m.Email == "" {
		m.Email = du.Email
	}
}

// Snapshot walks every user of the site (inactive ones, app and customer
// accounts too, unless opts.ActiveOnly leaves out inactive users) with
// the extra data opts asks for, in the fewest requests the APIs allow:
//
//   - the application roles, once, when opts.Licences is set;
//   - the members of each group asked for, and of each licence group
//     when opts.Licences is set (50 a request), instead of each user's
//     groups;
//   - when opts.LastLogin is set and the client has the Admin API: the
//     directories, once per client, and every directory's users with
//     their product access (POST users/search, 100 a request) — last
//     login is the latest product activity, LastActive the activity per
//     product, Created when the user joined the organisation, and the
//     email comes from there when Jira hides it. Users the search sends
//     without productAccess, users no directory lists, and every user
//     without the Admin API keep last login unknown (never "never"); that
//     is not an error;
//   - the users, 1000 a request, and the empty page that ends the list;
//   - for opts.AllGroups, whichever costs fewer requests: the groups
//     (GET group/bulk, 50 a request) and the members of each (50 a
//     request), Σ⌈members/50⌉ in all, or one GET user/groups per user. The
//     users are then collected before they are yielded (the walk needs
//     their number); see the shared rule below;
//   - one request per user and property for opts.Properties, 8 at a time
//     through the client's rate limiter.
//
// AllGroups rule: the groups are listed first; with at least as many
// groups as users each user is read instead, and a walk that reaches as
// many requests as there are users stops and reads each user.
//
// Memberships and directory data are collected before the users are
// streamed, in compact records (an index entry, a fixed-size record and
// the account id and email per account; groups as bits), and the list and
// directory pages are decoded into the fields the model keeps only. Each
// user is yielded once and, without AllGroups, not kept beyond a chunk of
// 256 whose properties are read together; a yielded user shares its
// account id and email strings with the records. A group that does not
// exist is an error matching [jira.ErrNotFound]. An error ends the
// iteration.
func (c *Client) Snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error] {
	return c.t.ObserveSnapshot(c.filler().Snapshot(ctx, opts, func(o jira.SnapshotOptions) iter.Seq2[jira.User, error] { return c.snapshot(ctx, o) }))
}

// filler adds all groups and properties to a snapshot.
func (c *Client) filler() *rest.Fill {
	return &rest.Fill{Pkg: "cloud",
		Property: func(ctx context.Context, u *jira.User, key string) (json.RawMessage, error) {
			v, _, err := c.Properties.Get(ctx, jira.AccountID(u.AccountID), key)
			return v, err
		},
		UserGroups: func(ctx context.Context, u *jira.User) ([]string, error) {
			gs, _, err := c.Users.Groups(ctx, jira.AccountID(u.AccountID))
			out := make([]string, len(gs))
			for i, g := range gs {
				out[i] = g.Name
			}
			return out, err
		},
		ListGroups: func(ctx context.Context) ([]jira.Group, int, error) {
			var out []jira.Group
			for g, err := range c.Groups.All(ctx, nil) {
				if err != nil {
					return nil, 0, err
				}
				out = append(out, g)
			}
			return out, len(out)/50 + 1, nil
		},
		Members: func(ctx context.Context, g jira.Group) iter.Seq2[string, error] {
			return func(yield func(string, error) bool) {
				for u, err := range c.Groups.AllMembers(ctx, g, &MembersOptions{IncludeInactive: true}) {
					if !yield(u.AccountID, err) || err != nil {
						return
					}
				}
			}
		},
	}
}

// snapshot is [Client.Snapshot] without AllGroups and Properties.
func (c *Client) snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		var roles []ApplicationRole
		var err error
		if opts.Licences {
			if roles, _, err = c.Roles.List(ctx); err != nil {
				yield(jira.User{}, err)
				return
			}
		}
		var names []string // the groups read, by bit: those asked for first
		for _, g := range slices.Concat(opts.Groups, opts.OptionalGroups) {
			intern(&names, g)
		}
		nAsked := len(names)
		roleBits := make([][]int, len(roles))
		for i, r := range roles {
			for _, g := range r.groups() {
				roleBits[i] = append(roleBits[i], intern(&names, g.Name))
			}
		}
		known := newAccounts(names)
		if err := c.memberships(ctx, known, opts.Groups, opts.OptionalGroups, roles); err != nil {
			yield(jira.User{}, err)
			return
		}
		if opts.LastLogin && c.admin != nil {
			if err := c.adminSnapshot(ctx, known); err != nil {
				yield(jira.User{}, err)
				return
			}
		}
		list := transport.Offset[listedUser](ctx, c.t, api+"/users/search", nil, transport.PageOptions{PageSize: usersPage})
		for u, err := range list {
			if err != nil {
				yield(jira.User{}, err)
				return
			}
			if opts.ActiveOnly && !u.Active {
				continue
			}
			m := u.model()
			if i := known.lookup(u.AccountID); i >= 0 {
				known.fill(i, &m)
				m.Groups, m.Licences = known.groupsOf(i, nAsked, roleBits, roles)
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// groupsOf returns the groups among the first asked ones that account i
// is in, and the keys of the roles whose groups it is in,
// both sorted.
func (a *accounts) groupsOf(i, asked int, roleBits [][]int, roles []ApplicationRole) (groups, licences []string) {
	for g := range asked {
		if a.in(i, g) {
			groups = append(groups, a.groups[g])
		}
	}
	for r, bits := range roleBits {
		if slices.ContainsFunc(bits, func(g int) bool { return a.in(i, g) }) {
			licences = append(licences, roles[r].Key)
		}
	}
	slices.Sort(groups)
	slices.Sort(licences)
	return slices.Clip(groups), slices.Clip(licences)
}

// memberships reads the members of the groups asked for (optional ones
// may be missing) and of the roles' groups into known.
func (c *Client) memberships(ctx context.Context, known *accounts, groups, optional []string, roles []ApplicationRole) error {
	fetch := make([]jira.Group, 0, len(known.groups))
	for _, g := range slices.Concat(groups, optional) {
		fetch = append(fetch, jira.Group{Name: g})
	}
	for _, r := range roles {
		fetch = append(fetch, r.groups()...)
	}
	seen := map[string]bool{}
	for _, g := range fetch {
		if seen[g.Name] {
			continue
		}
		seen[g.Name] = true
		bit := slices.Index(known.groups, g.Name)
		for u, err := range c.Groups.AllMembers(ctx, g, &MembersOptions{IncludeInactive: true}) {
			if errors.Is(err, jira.ErrNotFound) && slices.Contains(optional, g.Name) && !slices.Contains(groups, g.Name) {
				break // an optional group this site does not have
			}
			if err != nil {
				return fmt.Errorf("cloud: members of group %q: %w", g.Name, err)
			}
			known.join(u.AccountID, bit)
		}
	}
	return nil
}

// adminSnapshot reads every directory user with product access, 100 a
// request through the search (the one operation that returns it), into
// known; the first directory that lists a user is its directory.
func (c *Client) adminSnapshot(ctx context.Context, known *accounts) error {
	dirs, err := c.directories(ctx)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		r := &SearchRequest{Expand: []string{"productAccess"}, Limit: maxSearchLimit}
		for du, err := range searchAll[dirActivity](ctx, c.Admin, d.DirectoryID, r) {
			if err != nil {
				return fmt.Errorf("cloud: users of directory %q: %w", d.Name, err)
			}
			known.addDirUser(&du, d.Name)
		}
	}
	return nil
}

// AddComment comments on an issue, e.g. a run's report on its approval
// issue.
//
// Cloud: POST /rest/api/3/issue/{issueIdOrKey}/comment
func (c *Client) AddComment(ctx context.Context, keyOrID, body string) error {
	_, _, err := c.Issues.AddComment(ctx, keyOrID, body)
	return err
}

// The flavour-neutral methods of this file are the client's [jira.Site]
// implementation.
var _ jira.Site = (*Client)(nil)
