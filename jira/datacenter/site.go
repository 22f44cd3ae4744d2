package datacenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"

	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/jira/internal/rest"
)

// The DC client's jira.Site methods: whole jobs in the model's types, on
// Jira Data Center's REST v2 (jira/cloud has the same methods).

// Myself returns the user the client authenticates as, with its groups.
//
// DC: GET /rest/api/2/myself
func (c *Client) Myself(ctx context.Context) (jira.User, error) {
	u, _, err := c.Users.Myself(ctx)
	if err != nil {
		return jira.User{}, err
	}
	return u.Model(c.lastLoginIn([]User{*u})), nil
}

// User reads one user as it is now, with all its groups, licences and
// last login: one request. Last login is unknown when the response has
// no lastLoginTime and no earlier listing of this server had one (see
// [Client.Snapshot]).
//
// DC: GET /rest/api/2/user?expand=groups,applicationRoles
func (c *Client) User(ctx context.Context, ref jira.UserRef) (jira.User, error) {
	if err := ref.Check(jira.DataCenter); err != nil {
		return jira.User{}, err
	}
	u, _, err := c.Users.Get(ctx, ref, &GetOptions{Groups: true, ApplicationRoles: true})
	if err != nil {
		return jira.User{}, err
	}
	logins, err := c.loginRecords(ctx, false)
	if err != nil {
		return jira.User{}, err
	}
	m := u.Model(c.lastLoginIn([]User{*u}))
	applyLogin(&m, logins)
	return m, nil
}

// GroupMembers walks the members of a group, inactive ones included.
// Their last login is unknown: group/member never sends lastLoginTime.
//
// DC: GET /rest/api/2/group/member?includeInactiveUsers=true (50 a page)
func (c *Client) GroupMembers(ctx context.Context, group string) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		for u, err := range c.Groups.AllMembers(ctx, jira.Group{Name: group}, &MembersOptions{IncludeInactive: true}) {
			if err != nil {
				yield(jira.User{}, err)
				return
			}
			if !yield(u.Model(false), nil) {
				return
			}
		}
	}
}

// username returns the login name group and application calls need: the
// reference itself, or, for a key, the name read from Jira.
func (c *Client) username(ctx context.Context, ref jira.UserRef) (string, error) {
	if err := ref.Check(jira.DataCenter); err != nil {
		return "", err
	}
	if ref.Kind() == jira.RefUsername {
		return ref.Value(), nil
	}
	u, _, err := c.Users.Get(ctx, ref, nil)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// isMember reads whether the user is in the group now.
func (c *Client) isMember(ctx context.Context, username, group string) (bool, error) {
	u, _, err := c.Users.Get(ctx, jira.Username(username), &GetOptions{Groups: true})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(u.Groups.Items, func(g NamedRef) bool { return g.Name == group }), nil
}

func isBadRequest(err error) bool {
	e, ok := errors.AsType[*jira.APIError](err)
	return ok && e.StatusCode == http.StatusBadRequest
}

// AddToGroup adds a user to a group. It is idempotent: Jira refuses to add
// a member twice (400), and then AddToGroup checks the membership and
// returns nil.
//
// DC: POST /rest/api/2/group/user
func (c *Client) AddToGroup(ctx context.Context, ref jira.UserRef, group string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Groups.AddUser(ctx, jira.Group{Name: group}, jira.Username(name))
	if isBadRequest(err) {
		if member, merr := c.isMember(ctx, name, group); merr == nil && member {
			return nil
		}
	}
	return err
}

// RemoveFromGroup removes a user from a group. It is idempotent: when Jira
// refuses because the user is not a member (400), it checks and returns nil.
//
// DC: DELETE /rest/api/2/group/user
func (c *Client) RemoveFromGroup(ctx context.Context, ref jira.UserRef, group string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Groups.RemoveUser(ctx, jira.Group{Name: group}, jira.Username(name))
	if isBadRequest(err) {
		if member, merr := c.isMember(ctx, name, group); merr == nil && !member {
			return nil
		}
	}
	return err
}

// Deactivate sets the user's active flag to false (Jira DC 8.3+) and
// checks the flag in Jira's answer: an answer that still says active is
// an error, not a success. It fails for users of read-only directories.
//
// DC: PUT /rest/api/2/user {"active": false}
func (c *Client) Deactivate(ctx context.Context, ref jira.UserRef) error {
	return c.setActive(ctx, ref, false)
}

// Reactivate sets the user's active flag to true and checks it in Jira's
// answer.
//
// DC: PUT /rest/api/2/user {"active": true}
func (c *Client) Reactivate(ctx context.Context, ref jira.UserRef) error {
	return c.setActive(ctx, ref, true)
}

// ErrNotApplied is returned when Jira answered a change with success but
// its answer shows the change was not made.
var ErrNotApplied = errors.New("datacenter: Jira accepted the change but did not apply it")

func (c *Client) setActive(ctx context.Context, ref jira.UserRef, active bool) error {
	u, _, err := c.Users.Update(ctx, ref, &UpdateRequest{Active: new(active)})
	if err != nil {
		return err
	}
	if u.Active != active {
		return fmt.Errorf("%w: PUT /rest/api/2/user for %s answered active=%t, want %t", ErrNotApplied, ref, u.Active, active)
	}
	return nil
}

// Delete deletes the user. Jira refuses (400) for project leads and users
// of read-only directories; callers may deactivate instead.
//
// DC: DELETE /rest/api/2/user
func (c *Client) Delete(ctx context.Context, ref jira.UserRef) error {
	_, err := c.Users.Delete(ctx, ref)
	return err
}

// ResetPassword sets the user's password to password, which never appears
// in an error or a log.
//
// DC: PUT /rest/api/2/user/password
func (c *Client) ResetPassword(ctx context.Context, ref jira.UserRef, password jira.Secret) error {
	_, err := c.Users.SetPassword(ctx, ref, password)
	return err
}

// InvalidateSessions logs the user out everywhere.
//
// DC: DELETE /rest/api/2/user/session/{username}
func (c *Client) InvalidateSessions(ctx context.Context, ref jira.UserRef) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Users.InvalidateSessions(ctx, name)
	return c.unsupported(ctx, err, "DELETE /rest/api/2/user/session/{username}", "10.0",
		"sessions end when they expire; deactivate the user to stop new logins")
}

// SetProperty writes a user property.
//
// DC: PUT /rest/api/2/user/properties/{propertyKey}
func (c *Client) SetProperty(ctx context.Context, ref jira.UserRef, key string, value json.RawMessage) error {
	_, err := c.Properties.Set(ctx, ref, key, value)
	return err
}

// Property reads one user property: an error matching [jira.ErrNotFound]
// when it is not set (or the user does not exist). Apply reads a
// property before overwriting it (undo restores it), and checks a
// property step whose outcome a crash lost instead of writing it again.
//
// DC: GET /rest/api/2/user/properties/{propertyKey}
func (c *Client) Property(ctx context.Context, ref jira.UserRef, key string) (json.RawMessage, error) {
	v, _, err := c.Properties.Get(ctx, ref, key)
	return v, err
}

// DeleteProperty removes a user property; a property that is not there is
// not an error.
//
// DC: DELETE /rest/api/2/user/properties/{propertyKey}
func (c *Client) DeleteProperty(ctx context.Context, ref jira.UserRef, key string) error {
	return c.Properties.DeleteIdempotent(ctx, ref, key, func(ctx context.Context, ref jira.UserRef) error {
		_, _, err := c.Users.Get(ctx, ref, nil)
		return err
	})
}

// GrantLicence gives the user access to an application, e.g.
// "jira-software".
//
// DC: POST /rest/api/2/user/application
func (c *Client) GrantLicence(ctx context.Context, ref jira.UserRef, application string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Users.GrantApplication(ctx, name, application)
	return err
}

// RevokeLicence removes the user's access to an application: Jira takes
// the user out of all the application's groups.
//
// DC: DELETE /rest/api/2/user/application
func (c *Client) RevokeLicence(ctx context.Context, ref jira.UserRef, application string) error {
	name, err := c.username(ctx, ref)
	if err != nil {
		return err
	}
	_, err = c.Users.RevokeApplication(ctx, name, application)
	return err
}

// CreateIssue files an issue.
//
// DC: POST /rest/api/2/issue
func (c *Client) CreateIssue(ctx context.Context, r jira.IssueRequest) (jira.Issue, error) {
	return rest.CreateIssue(ctx, c.Issues, r)
}

// Issue reads an issue's status.
//
// DC: GET /rest/api/2/issue/{issueIdOrKey}
func (c *Client) Issue(ctx context.Context, keyOrID string) (jira.Issue, error) {
	return rest.ReadIssue(ctx, c.Issues, keyOrID)
}

// Snapshot walks every user (inactive ones too, unless opts.ActiveOnly)
// with the extra data opts asks for, in the fewest requests the API
// allows:
//
//   - the server version, once;
//   - the [LoginSource], once, when the client has one ([WithLoginSource]);
//   - the members of each group asked for (Groups and OptionalGroups), and
//     of each licence group when opts.Licences is set (50 a request),
//     instead of each user's groups; the application roles, once, when
//     opts.Licences is set;
//   - the users: 2000 a request through /user/list where the server has it
//     (10.3+, 11), else 1000 a request through user/search on Jira 9. On
//     Jira 10.0 to 10.2, which offer neither, the users are the members of
//     every application role's groups and of the groups asked for
//     (inactive ones included), plus the users of the login source that
//     are in none of them (one GET /user each). Without a login source such
//     a snapshot cannot see users in none of those groups: it fails with an
//     [*jira.IncompleteError] unless opts.AllowPartial, and then says so in
//     opts.Result;
//   - for opts.AllGroups, whichever costs fewer requests: the groups
//     (GET groups/picker pages, each excluding the groups already seen to
//     get past Jira's autocomplete cap) and the members of each (50 a
//     request), Σ⌈members/50⌉ in all, or one GET user?expand=groups per
//     user. The users are then collected before they are yielded (the
//     choice needs their number): with at least as many groups as users
//     each user is read, and a walk that reaches as many requests as
//     there are users stops and reads each user instead; so does a site
//     whose groups the picker cannot list within 300 excluded names (its
//     URL would grow too long);
//   - one request per user and property for opts.Properties, 8 at a time
//     through the client's rate limiter (chunks of 256 users).
//
// Last login comes with the users where the response carries
// lastLoginTime (Jira 10+ user/list and user/search; never group/member):
// a user without it is "never" only in a response that carries it for
// others, else unknown; the login source fills in what it knows.
// Memberships are collected before the users are streamed; each user is
// yielded once. A group that does not exist is an error matching
// [jira.ErrNotFound]. An error ends the iteration.
func (c *Client) Snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error] {
	return c.t.ObserveSnapshot(c.filler().Snapshot(ctx, opts, func(o jira.SnapshotOptions) iter.Seq2[jira.User, error] { return c.snapshot(ctx, o) }))
}

// filler adds all groups and properties to a snapshot.
func (c *Client) filler() *rest.Fill {
	ref := func(u *jira.User) jira.UserRef {
		if u.Key != "" {
			return jira.UserKey(u.Key)
		}
		return jira.Username(u.Name)
	}
	return &rest.Fill{Pkg: "datacenter",
		Property: func(ctx context.Context, u *jira.User, key string) (json.RawMessage, error) {
			v, _, err := c.Properties.Get(ctx, ref(u), key)
			return v, err
		},
		UserGroups: func(ctx context.Context, u *jira.User) ([]string, error) {
			full, _, err := c.Users.Get(ctx, ref(u), &GetOptions{Groups: true})
			if err != nil {
				return nil, err
			}
			return rest.Names(full.Groups, func(g NamedRef) string { return g.Name }), nil
		},
		ListGroups: c.allGroups,
		Members: func(ctx context.Context, g jira.Group) iter.Seq2[string, error] {
			return func(yield func(string, error) bool) {
				for u, err := range c.Groups.AllMembers(ctx, g, &MembersOptions{IncludeInactive: true}) {
					if !yield(u.Key, err) || err != nil {
						return
					}
				}
			}
		},
	}
}

// maxExcluded bounds the groups one picker request excludes, so that its
// URL stays within what servers accept (about 8 KB); a site with more
// groups than Jira's autocomplete limit lets through past that has each
// user's groups read instead.
const maxExcluded = 300

// allGroups lists every group through groups/picker, whose answers Jira
// caps at its autocomplete limit: each further request excludes the
// groups already seen, until the answer holds all that remain.
func (c *Client) allGroups(ctx context.Context) ([]jira.Group, int, error) {
	var names []string
	requests := 0
	for {
		f, _, err := c.Groups.Picker(ctx, "", 1000, names...)
		requests++
		if err != nil {
			return nil, requests, err
		}
		for _, g := range f.Groups {
			names = append(names, g.Name)
		}
		if len(f.Groups) == 0 || len(f.Groups) >= f.Total {
			break
		}
		if len(names) > maxExcluded {
			return nil, requests, fmt.Errorf("datacenter: more than %d groups: too many to exclude in one picker URL", maxExcluded)
		}
	}
	out := make([]jira.Group, len(names))
	for i, n := range names {
		out[i] = jira.Group{Name: n}
	}
	return out, requests, nil
}

// snapshot is [Client.Snapshot] without AllGroups and Properties.
func (c *Client) snapshot(ctx context.Context, opts jira.SnapshotOptions) iter.Seq2[jira.User, error] {
	return func(yield func(jira.User, error) bool) {
		fail := func(err error) { yield(jira.User{}, err) }
		info, err := c.ServerInfo(ctx)
		if err != nil {
			fail(err)
			return
		}
		logins, err := c.loginRecords(ctx, true)
		if err != nil {
			fail(err)
			return
		}
		if err := c.probeUserList(ctx); err != nil {
			fail(err)
			return
		}
		// Without /user/list on Jira 10+, the roles' groups enumerate.
		byGroups := c.userList.Load() == capNo && info.AtLeast(10, 0)
		if byGroups && c.loginSrc == nil && !opts.AllowPartial {
			fail(incomplete(info))
			return
		}
		sn := snapshot{ctx: ctx, c: c, opts: opts, logins: logins, yield: yield}
		if err := sn.memberships(opts.Licences || byGroups, byGroups); err != nil {
			fail(err)
			return
		}
		if !byGroups {
			how, err := c.userPages(ctx, info, sn.page)
			switch {
			case err == errStop:
			case err != nil:
				fail(err)
			default:
				sn.result(how, nil)
			}
			return
		}
		if err := sn.fromGroups(); err == errStop {
			return
		} else if err != nil {
			fail(err)
			return
		}
		how := "GET /rest/api/2/group/member of the application roles' groups and the groups asked for"
		if c.loginSrc != nil {
			how += ", and GET /rest/api/2/user for the login source's other users"
			sn.result(how, nil)
			return
		}
		sn.result(how, incomplete(info))
	}
}

// errStop ends a snapshot whose consumer stopped.
var errStop = errors.New("datacenter: stopped")

// snapshot is one run of [Client.Snapshot].
type snapshot struct {
	ctx    context.Context
	c      *Client
	opts   jira.SnapshotOptions
	logins map[string]LoginRecord
	yield  func(jira.User, error) bool

	roles    []ApplicationRole
	fetched  map[string]bool     // groups whose members were read
	memberOf map[string][]string // user key → groups read
	members  map[string]User     // user key → record (group/member: no lastLoginTime)
	order    []string            // keys of members, in the order first seen
	seen     map[string]bool     // lower-cased names yielded
}

// memberships reads the members of the groups asked for and, with roles,
// of the application roles' groups; keep keeps the member records, to
// enumerate users from them.
func (sn *snapshot) memberships(roles, keep bool) error {
	ctx, c, opts := sn.ctx, sn.c, sn.opts
	if sn.fetched == nil {
		sn.fetched, sn.memberOf, sn.members, sn.seen = map[string]bool{}, map[string][]string{}, map[string]User{}, map[string]bool{}
	}
	if roles && sn.roles == nil {
		rs, _, err := c.Roles.List(ctx)
		if err != nil {
			return err
		}
		sn.roles = rs
	}
	optional := func(g string) bool {
		return slices.Contains(opts.OptionalGroups, g) && !slices.Contains(opts.Groups, g)
	}
	fetch := slices.Concat(opts.Groups, opts.OptionalGroups)
	for _, r := range sn.roles {
		fetch = append(fetch, r.Groups...)
	}
	slices.Sort(fetch)
	for _, g := range slices.Compact(fetch) {
		if sn.fetched[g] {
			continue
		}
		sn.fetched[g] = true
		for u, err := range c.Groups.AllMembers(ctx, jira.Group{Name: g}, &MembersOptions{IncludeInactive: true}) {
			if errors.Is(err, jira.ErrNotFound) && optional(g) {
				break // an optional group this site does not have
			}
			if err != nil {
				return fmt.Errorf("datacenter: members of group %q: %w", g, err)
			}
			sn.memberOf[u.Key] = append(sn.memberOf[u.Key], g)
			if _, ok := sn.members[u.Key]; keep && !ok {
				sn.members[u.Key] = u
				sn.order = append(sn.order, u.Key)
			}
		}
	}
	return nil
}

// page yields the users of one listing response.
func (sn *snapshot) page(users []User) error {
	known := sn.c.lastLoginIn(users)
	for i := range users {
		if err := sn.emit(&users[i], known); err != nil {
			return err
		}
	}
	return nil
}

// fromGroups yields the users read as group members, then the login
// source's users that no group had, read one by one.
func (sn *snapshot) fromGroups() error {
	ctx := sn.ctx
	for _, k := range sn.order {
		u := sn.members[k]
		if err := sn.emit(&u, false); err != nil { // group/member has no lastLoginTime
			return err
		}
	}
	names := make([]string, 0, len(sn.logins))
	for name := range sn.logins {
		if !sn.seen[name] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		u, _, err := sn.c.Users.Get(ctx, jira.Username(name), nil)
		if errors.Is(err, jira.ErrNotFound) {
			continue // deleted since the export
		}
		if err != nil {
			return fmt.Errorf("datacenter: user %s of the login source: %w", name, err)
		}
		if err := sn.emit(u, sn.c.lastLoginIn([]User{*u})); err != nil {
			return err
		}
	}
	return nil
}

// emit yields one user with what the snapshot collected about it.
func (sn *snapshot) emit(u *User, known bool) error {
	opts := sn.opts
	sn.seen[strings.ToLower(u.Name)] = true
	if opts.ActiveOnly && !u.Active {
		return nil
	}
	m := u.Model(known)
	applyLogin(&m, sn.logins)
	in := sn.memberOf[u.Key]
	for _, g := range in {
		if slices.Contains(opts.Groups, g) || slices.Contains(opts.OptionalGroups, g) {
			m.Groups = append(m.Groups, g)
		}
	}
	if opts.Licences {
		for _, r := range sn.roles {
			if slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(in, g) }) {
				m.Licences = append(m.Licences, r.Key)
			}
		}
	}
	slices.Sort(m.Groups)
	m.Groups = slices.Compact(m.Groups)
	slices.Sort(m.Licences)
	if !sn.yield(m, nil) {
		return errStop
	}
	return nil
}

// result fills in opts.Result, if asked for.
func (sn *snapshot) result(how string, partial *jira.IncompleteError) {
	if sn.opts.Result == nil {
		return
	}
	*sn.opts.Result = jira.SnapshotResult{Enumeration: how}
	if partial != nil {
		sn.opts.Result.Partial, sn.opts.Result.Unseen = true, partial.Unseen
	}
}

// AddComment comments on an issue, e.g. a run's report on its approval
// issue.
//
// DC: POST /rest/api/2/issue/{issueIdOrKey}/comment
func (c *Client) AddComment(ctx context.Context, keyOrID, body string) error {
	_, _, err := c.Issues.AddComment(ctx, keyOrID, body)
	return err
}

// The flavour-neutral methods of this file are the client's [jira.Site]
// implementation.
var _ jira.Site = (*Client)(nil)
